/**
 * CST → AST: walks the concrete syntax tree built by grammar.ts and produces the typed AST of
 * ast.ts. Normalises identifiers (unquoted → upper case), unescapes literals, folds signs into
 * numeric literals and checks the few things the grammar leaves open (window units, option order).
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';
import { fail, type SourcePos } from '../errors.js';
import type * as A from './ast.js';

type Children = Record<string, CstElement[] | undefined>;

function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

function tokenPos(t: IToken): SourcePos {
  return { line: t.startLine ?? 1, column: t.startColumn ?? 1, offset: t.startOffset };
}

function nodePos(n: CstNode): SourcePos {
  const l = n.location;
  return { line: l?.startLine ?? 1, column: l?.startColumn ?? 1, offset: l?.startOffset ?? 0 };
}

function elementPos(e: CstElement): SourcePos {
  return isToken(e) ? tokenPos(e) : nodePos(e);
}

function elementOffset(e: CstElement): number {
  return isToken(e) ? e.startOffset : (e.location?.startOffset ?? 0);
}

function nodes(c: Children, key: string): CstNode[] {
  return (c[key] ?? []) as CstNode[];
}

function node(c: Children, key: string, i = 0): CstNode | undefined {
  return nodes(c, key)[i];
}

function need(c: Children, key: string, i = 0): CstNode {
  const n = node(c, key, i);
  if (n === undefined) throw new Error(`internal: CST has no ${key}[${i}]`);
  return n;
}

function tokens(c: Children, key: string): IToken[] {
  return (c[key] ?? []) as IToken[];
}

function token(c: Children, key: string, i = 0): IToken | undefined {
  return tokens(c, key)[i];
}

/** Unquoted identifiers are upper-cased; quoted ones keep their case, with doubled quotes undone. */
export function identifierText(t: IToken): string {
  const img = t.image;
  if (t.tokenType.name === 'BacktickIdentifier') return img.slice(1, -1).replace(/``/g, '`');
  if (t.tokenType.name === 'DoubleQuotedIdentifier') return img.slice(1, -1).replace(/""/g, '"');
  return img.toUpperCase();
}

export function unquoteString(image: string): string {
  return image.slice(1, -1).replace(/''/g, "'");
}

const UNIT_MILLIS: Record<string, number> = {
  MILLISECOND: 1,
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

export class AstBuilder {
  constructor(private readonly text: string) {}

  statements(n: CstNode): A.Statement[] {
    return nodes(n.children, 'statement').map((s) => this.statement(s));
  }

  statement(n: CstNode): A.Statement {
    const c = n.children;
    const text = this.sourceText(n);
    const createType = node(c, 'createTypeStatement');
    if (createType) {
      const tc = createType.children;
      const nameNode = need(tc, 'name');
      return {
        kind: 'CreateType',
        pos: nodePos(createType),
        ifNotExists: token(tc, 'EXISTS') !== undefined,
        name: this.identifier(nameNode),
        namePos: nodePos(nameNode),
        type: this.type(need(tc, 'type')),
        text,
      };
    }
    const dropType = node(c, 'dropTypeStatement');
    if (dropType) {
      const dc = dropType.children;
      const nameNode = need(dc, 'name');
      return { kind: 'DropType', pos: nodePos(dropType), ifExists: token(dc, 'EXISTS') !== undefined, name: this.identifier(nameNode), namePos: nodePos(nameNode), text };
    }
    const create = node(c, 'createStatement');
    if (create) return this.createStatement(create, text);
    const insert = node(c, 'insertStatement');
    if (insert) return this.insertStatement(insert, text);
    const drop = node(c, 'dropStatement');
    if (drop) return this.dropStatement(drop, text);
    const set = node(c, 'setStatement');
    if (set) {
      const sc = set.children;
      return {
        kind: 'SetProperty',
        pos: nodePos(set),
        name: unquoteString(token(sc, 'name')!.image),
        value: unquoteString(token(sc, 'value')!.image),
        text,
      };
    }
    const unset = node(c, 'unsetStatement');
    if (unset) {
      return { kind: 'UnsetProperty', pos: nodePos(unset), name: unquoteString(token(unset.children, 'name')!.image), text };
    }
    const q = need(c, 'query');
    return { kind: 'SelectQuery', pos: nodePos(q), query: this.query(q), text };
  }

  private sourceText(n: CstNode): string {
    const l = n.location;
    if (!l || l.endOffset === undefined || Number.isNaN(l.endOffset)) return '';
    return this.text.slice(l.startOffset, l.endOffset + 1);
  }

  private createStatement(n: CstNode, text: string): A.Statement {
    const c = n.children;
    const nameNode = need(c, 'name');
    const sourceType: A.SourceType = token(c, 'STREAM') ? 'STREAM' : 'TABLE';
    const properties = node(c, 'withProperties') ? this.properties(need(c, 'withProperties')) : [];
    const common = {
      pos: nodePos(n),
      sourceType,
      orReplace: token(c, 'REPLACE') !== undefined,
      ifNotExists: token(c, 'EXISTS') !== undefined,
      name: this.identifier(nameNode),
      namePos: nodePos(nameNode),
      properties,
      text,
    };
    const query = node(c, 'query');
    if (query) {
      if (token(c, 'elementsStart')) fail('CREATE AS SELECT statements cannot define columns.', tokenPos(token(c, 'elementsStart')!));
      if (token(c, 'SOURCE')) fail("CREATE SOURCE statements cannot be used with AS SELECT.", tokenPos(token(c, 'SOURCE')!));
      return { kind: 'CreateAsSelect', ...common, query: this.query(query) };
    }
    const elements = token(c, 'elementsStart') ? nodes(c, 'tableElement').map((e) => this.tableElement(e)) : undefined;
    return { kind: 'CreateSource', ...common, readOnly: token(c, 'SOURCE') !== undefined, elements };
  }

  private tableElement(n: CstNode): A.TableElement {
    const c = n.children;
    const constraint = token(c, 'PRIMARY') ? 'PRIMARY KEY' : token(c, 'KEY') ? 'KEY' : 'NONE';
    return { pos: nodePos(n), name: this.identifier(need(c, 'name')), type: this.type(need(c, 'type')), constraint };
  }

  private properties(n: CstNode): A.Property[] {
    return nodes(n.children, 'property').map((p) => ({
      pos: nodePos(p),
      name: this.identifier(need(p.children, 'name')).toUpperCase(),
      value: this.literal(need(p.children, 'literal')),
    }));
  }

  private insertStatement(n: CstNode, text: string): A.Statement {
    const c = n.children;
    const targetNode = need(c, 'target');
    const target = this.identifier(targetNode);
    const targetPos = nodePos(targetNode);
    const query = node(c, 'query');
    if (query) {
      const properties = node(c, 'withProperties') ? this.properties(need(c, 'withProperties')) : [];
      return { kind: 'InsertInto', pos: nodePos(n), target, targetPos, properties, query: this.query(query), text };
    }
    const columns = token(c, 'LParen', 1)
      ? nodes(c, 'columns').map((col) => ({ name: this.identifier(col), pos: nodePos(col) }))
      : undefined;
    return {
      kind: 'InsertValues',
      pos: nodePos(n),
      target,
      targetPos,
      columns,
      values: nodes(c, 'values').map((v) => this.expression(v)),
      text,
    };
  }

  private dropStatement(n: CstNode, text: string): A.Statement {
    const c = n.children;
    const nameNode = need(c, 'name');
    return {
      kind: 'DropSource',
      pos: nodePos(n),
      sourceType: token(c, 'STREAM') ? 'STREAM' : 'TABLE',
      ifExists: token(c, 'IF') !== undefined,
      name: this.identifier(nameNode),
      namePos: nodePos(nameNode),
      deleteTopic: token(c, 'DELETE') !== undefined,
      text,
    };
  }

  // ------------------------------------------------------------ queries

  query(n: CstNode): A.Query {
    const c = n.children;
    const where = node(c, 'where');
    const having = node(c, 'having');
    const window = node(c, 'windowExpression');
    const limit = token(c, 'limit');
    const groupBy = nodes(c, 'groupingElement').flatMap((g) => nodes(g.children, 'groupBy'));
    const partitionBy = nodes(c, 'partitionBy');
    return {
      pos: nodePos(n),
      select: nodes(c, 'selectItem').map((s) => this.selectItem(s)),
      from: this.aliasedRelation(need(c, 'from')),
      joins: nodes(c, 'joinClause').map((j) => this.joinClause(j)),
      ...(window ? { window: this.window(window) } : {}),
      ...(where ? { where: this.expression(where) } : {}),
      ...(groupBy.length ? { groupBy: groupBy.map((g) => this.expression(g)) } : {}),
      ...(partitionBy.length ? { partitionBy: partitionBy.map((p) => this.expression(p)) } : {}),
      ...(having ? { having: this.expression(having) } : {}),
      ...(token(c, 'EMIT') ? { emit: token(c, 'FINAL') ? ('FINAL' as const) : ('CHANGES' as const) } : {}),
      ...(limit ? { limit: Number(limit.image) } : {}),
    };
  }

  private selectItem(n: CstNode): A.SelectItem {
    const c = n.children;
    const pos = nodePos(n);
    const qualifier = node(c, 'qualifier');
    if (qualifier) return { kind: 'AllColumns', pos, qualifier: this.identifier(qualifier) };
    const expr = node(c, 'expression');
    if (!expr) return { kind: 'AllColumns', pos };
    const alias = node(c, 'alias');
    if (token(c, 'structAll')) {
      if (alias) fail(`mismatched input '${this.identifier(alias)}' expecting {',', 'FROM'}`, nodePos(alias));
      return { kind: 'StructAll', pos, expr: this.expression(expr) };
    }
    return { kind: 'SingleColumn', pos, expr: this.expression(expr), ...(alias ? { alias: this.identifier(alias) } : {}) };
  }

  private aliasedRelation(n: CstNode): A.AliasedSource {
    const c = n.children;
    const alias = node(c, 'alias');
    return { pos: nodePos(n), name: this.identifier(need(c, 'name')), ...(alias ? { alias: this.identifier(alias) } : {}) };
  }

  private joinClause(n: CstNode): A.JoinClause {
    const c = n.children;
    const type: A.JoinType = token(c, 'LEFT') ? 'LEFT' : token(c, 'RIGHT') ? 'RIGHT' : token(c, 'FULL') || token(c, 'OUTER') ? 'FULL' : 'INNER';
    const within = node(c, 'withinExpression');
    return {
      pos: nodePos(n),
      type,
      source: this.aliasedRelation(need(c, 'aliasedRelation')),
      ...(within ? { within: this.within(within) } : {}),
      on: this.expression(need(c, 'on')),
    };
  }

  private within(n: CstNode): A.JoinWithin {
    const c = n.children;
    const size = node(c, 'size');
    const grace = node(c, 'grace');
    const before = this.duration(size ?? need(c, 'before'));
    const after = size ? before : this.duration(need(c, 'after'));
    return { pos: nodePos(n), before, after, ...(grace ? { grace: this.duration(grace) } : {}) };
  }

  private window(n: CstNode): A.WindowSpec {
    const c = n.children;
    const kindToken = token(c, 'kind')!;
    const type = kindToken.image.toUpperCase() as A.WindowSpec['type'];
    const options: { advance?: A.Duration; retention?: A.Duration; grace?: A.Duration } = {};
    for (const opt of nodes(c, 'windowOption')) {
      const oc = opt.children;
      const which = node(oc, 'advance') ? 'advance' : node(oc, 'retention') ? 'retention' : 'grace';
      if (options[which]) fail(`Duplicate ${which.toUpperCase()} in WINDOW clause.`, nodePos(opt));
      if (which === 'advance' && type !== 'HOPPING') fail(`ADVANCE BY is only valid for HOPPING windows.`, nodePos(opt));
      options[which] = this.duration(need(oc, which));
    }
    if (type === 'HOPPING' && !options.advance) fail('HOPPING windows require ADVANCE BY.', tokenPos(kindToken));
    return { pos: tokenPos(kindToken), type, size: this.duration(need(c, 'size')), ...options };
  }

  private duration(n: CstNode): A.Duration {
    const c = n.children;
    const valueToken = token(c, 'IntegerValue')!;
    const unitNode = need(c, 'unit');
    let unit = this.identifier(unitNode).toUpperCase();
    if (unit.endsWith('S')) unit = unit.slice(0, -1);
    const scale = UNIT_MILLIS[unit];
    if (scale === undefined) fail(`Invalid time unit: ${this.identifier(unitNode)}`, nodePos(unitNode));
    const value = Number(valueToken.image);
    return { pos: tokenPos(valueToken), value, unit, millis: value * scale };
  }

  // ------------------------------------------------------------ types

  type(n: CstNode): A.TypeAst {
    const c = n.children;
    const pos = nodePos(n);
    if (token(c, 'ARRAY')) return { kind: 'ArrayType', pos, element: this.type(need(c, 'element')) };
    if (token(c, 'MAP')) return { kind: 'MapType', pos, key: this.type(need(c, 'key')), value: this.type(need(c, 'value')) };
    if (token(c, 'STRUCT')) {
      return {
        kind: 'StructType',
        pos,
        fields: nodes(c, 'structField').map((f) => ({
          name: this.identifier(need(f.children, 'name')),
          type: this.type(need(f.children, 'type')),
          pos: nodePos(f),
        })),
      };
    }
    return {
      kind: 'PrimitiveType',
      pos,
      name: token(c, 'typeName')!.image.toUpperCase(),
      params: tokens(c, 'param').map((p) => Number(p.image)),
    };
  }

  // ------------------------------------------------------------ expressions

  expression(n: CstNode): A.Expr {
    return this.orExpression(need(n.children, 'orExpression'));
  }

  private orExpression(n: CstNode): A.Expr {
    return this.leftFold(nodes(n.children, 'operands').map((o) => this.andExpression(o)), () => 'OR' as const);
  }

  private andExpression(n: CstNode): A.Expr {
    return this.leftFold(nodes(n.children, 'operands').map((o) => this.notExpression(o)), () => 'AND' as const);
  }

  private leftFold(operands: A.Expr[], op: (i: number) => 'AND' | 'OR'): A.Expr {
    let acc = operands[0]!;
    for (let i = 1; i < operands.length; i++) {
      acc = { kind: 'Logical', pos: acc.pos, op: op(i), left: acc, right: operands[i]! };
    }
    return acc;
  }

  private notExpression(n: CstNode): A.Expr {
    const c = n.children;
    const inner = node(c, 'notExpression');
    if (inner) return { kind: 'Not', pos: nodePos(n), operand: this.notExpression(inner) };
    return this.predicate(need(c, 'predicate'));
  }

  private predicate(n: CstNode): A.Expr {
    const c = n.children;
    const value = this.valueExpression(need(c, 'value'));
    const pos = value.pos;
    const cmp = node(c, 'comparisonOperator');
    if (cmp) {
      const opToken = Object.values(cmp.children).flat()[0] as IToken;
      const op = opToken.image === '!=' ? '<>' : (opToken.image as A.ComparisonOp);
      return { kind: 'Comparison', pos, op, left: value, right: this.valueExpression(need(c, 'right')) };
    }
    if (token(c, 'IS')) {
      const negated = token(c, 'isNot') !== undefined;
      if (token(c, 'NULL')) return { kind: 'IsNull', pos, value, negated };
      const op = negated ? 'IS NOT DISTINCT FROM' : 'IS DISTINCT FROM';
      return { kind: 'Comparison', pos, op, left: value, right: this.valueExpression(need(c, 'right')) };
    }
    const negated = token(c, 'negated') !== undefined;
    if (token(c, 'BETWEEN')) {
      return {
        kind: 'Between',
        pos,
        value,
        low: this.valueExpression(need(c, 'low')),
        high: this.valueExpression(need(c, 'high')),
        negated,
      };
    }
    if (token(c, 'IN')) return { kind: 'InList', pos, value, list: nodes(c, 'list').map((e) => this.expression(e)), negated };
    if (token(c, 'LIKE')) {
      const escape = token(c, 'escape');
      let escapeChar: string | undefined;
      if (escape) {
        escapeChar = unquoteString(escape.image);
        if (escapeChar.length !== 1) fail(`Escape string must be a single character, got '${escapeChar}'`, tokenPos(escape));
      }
      return {
        kind: 'Like',
        pos,
        value,
        pattern: this.valueExpression(need(c, 'pattern')),
        ...(escapeChar !== undefined ? { escape: escapeChar } : {}),
        negated,
      };
    }
    return value;
  }

  private valueExpression(n: CstNode): A.Expr {
    const operands = nodes(n.children, 'operands').map((o) => this.additive(o));
    let acc = operands[0]!;
    for (let i = 1; i < operands.length; i++) acc = { kind: 'Concat', pos: acc.pos, left: acc, right: operands[i]! };
    return acc;
  }

  private additive(n: CstNode): A.Expr {
    return this.arithmeticFold(n, (o) => this.multiplicative(o));
  }

  private multiplicative(n: CstNode): A.Expr {
    return this.arithmeticFold(n, (o) => this.unary(o));
  }

  private arithmeticFold(n: CstNode, operand: (n: CstNode) => A.Expr): A.Expr {
    const c = n.children;
    const operands = nodes(c, 'operands').map(operand);
    const operators = tokens(c, 'operators');
    let acc = operands[0]!;
    for (let i = 1; i < operands.length; i++) {
      acc = { kind: 'Arithmetic', pos: acc.pos, op: operators[i - 1]!.image as A.ArithmeticOp, left: acc, right: operands[i]! };
    }
    return acc;
  }

  private unary(n: CstNode): A.Expr {
    const c = n.children;
    const inner = node(c, 'unaryExpression');
    if (!inner) return this.postfix(need(c, 'postfixExpression'));
    const sign = token(c, 'sign')!;
    const operand = this.unary(inner);
    if (sign.image === '+') return operand;
    const pos = tokenPos(sign);
    // Fold the sign into numeric literals so that -2147483648 is an INT and -1.5 a DECIMAL.
    if (operand.kind === 'IntegerLiteral' || operand.kind === 'DecimalLiteral' || operand.kind === 'DoubleLiteral') {
      const text = operand.text.startsWith('-') ? operand.text.slice(1) : `-${operand.text}`;
      return { ...operand, pos, text };
    }
    return { kind: 'Negate', pos, operand };
  }

  private postfix(n: CstNode): A.Expr {
    const c = n.children;
    let acc = this.primary(need(c, 'primaryExpression'));
    const ops = tokens(c, 'postfix');
    const indexes = nodes(c, 'index');
    const fields = nodes(c, 'field');
    let ii = 0;
    let fi = 0;
    for (const op of ops) {
      if (op.image === '[') {
        acc = { kind: 'Subscript', pos: acc.pos, base: acc, index: this.expression(indexes[ii++]!) };
      } else {
        acc = { kind: 'Dereference', pos: acc.pos, base: acc, field: this.identifier(fields[fi++]!) };
      }
    }
    return acc;
  }

  private primary(n: CstNode): A.Expr {
    const c = n.children;
    const pos = nodePos(n);
    const lit = node(c, 'unsignedLiteral');
    if (lit) return this.literal(lit);
    const caseNode = node(c, 'caseExpression');
    if (caseNode) return this.caseExpression(caseNode);
    const cast = node(c, 'castExpression');
    if (cast) {
      return { kind: 'Cast', pos, expr: this.expression(need(cast.children, 'expression')), type: this.type(need(cast.children, 'type')) };
    }
    const arr = node(c, 'arrayConstructor');
    if (arr) return { kind: 'CreateArray', pos, elements: nodes(arr.children, 'elements').map((e) => this.expression(e)) };
    const map = node(c, 'mapConstructor');
    if (map) {
      const keys = nodes(map.children, 'keys');
      const values = nodes(map.children, 'values');
      return { kind: 'CreateMap', pos, entries: keys.map((k, i) => ({ key: this.expression(k), value: this.expression(values[i]!) })) };
    }
    const struct = node(c, 'structConstructor');
    if (struct) {
      const names = nodes(struct.children, 'names');
      const values = nodes(struct.children, 'values');
      return { kind: 'CreateStruct', pos, fields: names.map((nm, i) => ({ name: this.identifier(nm), value: this.expression(values[i]!) })) };
    }
    const fn = node(c, 'functionCall');
    if (fn) return this.functionCall(fn);
    const col = node(c, 'columnReference');
    if (col) {
      const parts = nodes(col.children, 'parts').map((p) => this.identifier(p));
      return parts.length === 2
        ? { kind: 'ColumnRef', pos, qualifier: parts[0]!, name: parts[1]! }
        : { kind: 'ColumnRef', pos, name: parts[0]! };
    }
    return this.expression(need(c, 'expression'));
  }

  private functionCall(n: CstNode): A.Expr {
    const c = n.children;
    const args = nodes(c, 'args').map((a) => {
      const lambda = node(a.children, 'lambda');
      if (!lambda) return this.expression(need(a.children, 'expression'));
      const lc = lambda.children;
      return {
        kind: 'Lambda' as const,
        pos: nodePos(lambda),
        params: nodes(lc, 'params').map((p) => this.identifier(p)),
        body: this.expression(need(lc, 'body')),
      };
    });
    return {
      kind: 'FunctionCall',
      pos: nodePos(n),
      name: this.identifier(need(c, 'name')).toUpperCase(),
      args,
      star: token(c, 'Star') !== undefined,
      distinct: token(c, 'DISTINCT') !== undefined,
    };
  }

  private caseExpression(n: CstNode): A.Expr {
    const c = n.children;
    const pos = nodePos(n);
    const whens = nodes(c, 'when').map((w) => this.expression(w));
    const thens = nodes(c, 'then').map((t) => this.expression(t));
    const otherwiseNode = node(c, 'otherwise');
    const otherwise = otherwiseNode ? { otherwise: this.expression(otherwiseNode) } : {};
    const operand = node(c, 'operand');
    if (operand) {
      return {
        kind: 'SimpleCase',
        pos,
        operand: this.expression(operand),
        whens: whens.map((value, i) => ({ value, result: thens[i]! })),
        ...otherwise,
      };
    }
    return { kind: 'SearchedCase', pos, whens: whens.map((condition, i) => ({ condition, result: thens[i]! })), ...otherwise };
  }

  /** Handles both `literal` (signed, in WITH clauses) and `unsignedLiteral`. */
  literal(n: CstNode): A.Expr {
    const c = n.children;
    const pos = nodePos(n);
    if (token(c, 'NULL')) return { kind: 'NullLiteral', pos };
    if (token(c, 'TRUE')) return { kind: 'BooleanLiteral', pos, value: true };
    if (token(c, 'FALSE')) return { kind: 'BooleanLiteral', pos, value: false };
    const str = token(c, 'StringLiteral');
    if (str) return { kind: 'StringLiteral', pos, value: unquoteString(str.image) };
    const sign = token(c, 'Minus') ? '-' : '';
    const int = token(c, 'IntegerValue');
    if (int) return { kind: 'IntegerLiteral', pos, text: sign + int.image };
    const dec = token(c, 'DecimalValue');
    if (dec) return { kind: 'DecimalLiteral', pos, text: sign + dec.image };
    return { kind: 'DoubleLiteral', pos, text: sign + token(c, 'FloatingPointValue')!.image };
  }

  identifier(n: CstNode): string {
    const t = Object.values(n.children).flat()[0];
    if (!t || !isToken(t)) throw new Error('internal: identifier without token');
    return identifierText(t);
  }
}

export { elementPos, elementOffset };

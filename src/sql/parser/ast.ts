/**
 * The abstract syntax tree of the ksqlDB dialect, produced by ast-builder.ts from the CST.
 * Identifiers are already normalised: unquoted ones upper-cased, quoted ones verbatim.
 * Every node carries the position of its first token.
 */
import type { SourcePos } from '../errors.js';

interface Node {
  readonly pos: SourcePos;
}

// ---------------------------------------------------------------- types

export type TypeAst =
  | (Node & { kind: 'PrimitiveType'; name: string; params: number[] })
  | (Node & { kind: 'ArrayType'; element: TypeAst })
  | (Node & { kind: 'MapType'; key: TypeAst; value: TypeAst })
  | (Node & { kind: 'StructType'; fields: { name: string; type: TypeAst; pos: SourcePos }[] });

// ---------------------------------------------------------------- expressions

export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | 'IS DISTINCT FROM' | 'IS NOT DISTINCT FROM';
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

export type Expr =
  | (Node & { kind: 'NullLiteral' })
  | (Node & { kind: 'BooleanLiteral'; value: boolean })
  /** Digits only (sign folded in): typed INT when it fits 32 bits, else BIGINT. */
  | (Node & { kind: 'IntegerLiteral'; text: string })
  /** A literal with a decimal point and no exponent, e.g. 1.50: typed DECIMAL(3,2). */
  | (Node & { kind: 'DecimalLiteral'; text: string })
  /** A literal with an exponent, e.g. 1.5E0: typed DOUBLE. */
  | (Node & { kind: 'DoubleLiteral'; text: string })
  | (Node & { kind: 'StringLiteral'; value: string })
  | (Node & { kind: 'ColumnRef'; qualifier?: string; name: string })
  | (Node & { kind: 'Dereference'; base: Expr; field: string })
  | (Node & { kind: 'Subscript'; base: Expr; index: Expr })
  | (Node & { kind: 'FunctionCall'; name: string; args: Expr[]; star: boolean; distinct: boolean })
  | (Node & { kind: 'Lambda'; params: string[]; body: Expr })
  | (Node & { kind: 'Arithmetic'; op: ArithmeticOp; left: Expr; right: Expr })
  | (Node & { kind: 'Concat'; left: Expr; right: Expr })
  | (Node & { kind: 'Negate'; operand: Expr })
  | (Node & { kind: 'Not'; operand: Expr })
  | (Node & { kind: 'Logical'; op: 'AND' | 'OR'; left: Expr; right: Expr })
  | (Node & { kind: 'Comparison'; op: ComparisonOp; left: Expr; right: Expr })
  | (Node & { kind: 'Between'; value: Expr; low: Expr; high: Expr; negated: boolean })
  | (Node & { kind: 'InList'; value: Expr; list: Expr[]; negated: boolean })
  | (Node & { kind: 'Like'; value: Expr; pattern: Expr; escape?: string; negated: boolean })
  | (Node & { kind: 'IsNull'; value: Expr; negated: boolean })
  | (Node & { kind: 'SearchedCase'; whens: { condition: Expr; result: Expr }[]; otherwise?: Expr })
  | (Node & { kind: 'SimpleCase'; operand: Expr; whens: { value: Expr; result: Expr }[]; otherwise?: Expr })
  | (Node & { kind: 'Cast'; expr: Expr; type: TypeAst })
  | (Node & { kind: 'CreateArray'; elements: Expr[] })
  | (Node & { kind: 'CreateMap'; entries: { key: Expr; value: Expr }[] })
  | (Node & { kind: 'CreateStruct'; fields: { name: string; value: Expr }[] });

export type ExprOf<K extends Expr['kind']> = Extract<Expr, { kind: K }>;

// ---------------------------------------------------------------- queries

export interface Duration extends Node {
  readonly value: number;
  /** Upper-case singular unit, e.g. SECOND. */
  readonly unit: string;
  readonly millis: number;
}

export interface WindowSpec extends Node {
  readonly type: 'TUMBLING' | 'HOPPING' | 'SESSION';
  /** TUMBLING/HOPPING SIZE, or SESSION gap. */
  readonly size: Duration;
  readonly advance?: Duration;
  readonly retention?: Duration;
  readonly grace?: Duration;
}

export interface AliasedSource extends Node {
  readonly name: string;
  readonly alias?: string;
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';

export interface JoinWithin extends Node {
  readonly before: Duration;
  readonly after: Duration;
  readonly grace?: Duration;
}

export interface JoinClause extends Node {
  readonly type: JoinType;
  readonly source: AliasedSource;
  readonly within?: JoinWithin;
  readonly on: Expr;
}

export type SelectItem =
  | (Node & { kind: 'AllColumns'; qualifier?: string })
  | (Node & { kind: 'SingleColumn'; expr: Expr; alias?: string })
  /** `expr->*`: the fields of a struct, each as a column named after the field. */
  | (Node & { kind: 'StructAll'; expr: Expr });

export interface Query extends Node {
  readonly select: SelectItem[];
  readonly from: AliasedSource;
  readonly joins: JoinClause[];
  readonly window?: WindowSpec;
  readonly where?: Expr;
  readonly groupBy?: Expr[];
  readonly partitionBy?: Expr[];
  readonly having?: Expr;
  readonly emit?: 'CHANGES' | 'FINAL';
  readonly limit?: number;
}

// ---------------------------------------------------------------- statements

export interface Property extends Node {
  /** Upper-cased property name. */
  readonly name: string;
  readonly value: Expr;
}

export interface TableElement extends Node {
  readonly name: string;
  readonly type: TypeAst;
  readonly constraint: 'NONE' | 'KEY' | 'PRIMARY KEY';
}

export type SourceType = 'STREAM' | 'TABLE';

export type Statement =
  | (Node & {
      kind: 'CreateSource';
      sourceType: SourceType;
      orReplace: boolean;
      ifNotExists: boolean;
      /** CREATE SOURCE STREAM|TABLE: read-only, materialised source. */
      readOnly: boolean;
      name: string;
      namePos: SourcePos;
      elements: TableElement[] | undefined;
      properties: Property[];
      text: string;
    })
  | (Node & {
      kind: 'CreateAsSelect';
      sourceType: SourceType;
      orReplace: boolean;
      ifNotExists: boolean;
      name: string;
      namePos: SourcePos;
      properties: Property[];
      query: Query;
      text: string;
    })
  | (Node & { kind: 'InsertInto'; target: string; targetPos: SourcePos; properties: Property[]; query: Query; text: string })
  | (Node & { kind: 'InsertValues'; target: string; targetPos: SourcePos; columns: { name: string; pos: SourcePos }[] | undefined; values: Expr[]; text: string })
  | (Node & { kind: 'DropSource'; sourceType: SourceType; ifExists: boolean; name: string; namePos: SourcePos; deleteTopic: boolean; text: string })
  | (Node & { kind: 'CreateType'; ifNotExists: boolean; name: string; namePos: SourcePos; type: TypeAst; text: string })
  | (Node & { kind: 'DropType'; ifExists: boolean; name: string; namePos: SourcePos; text: string })
  | (Node & { kind: 'SetProperty'; name: string; value: string; text: string })
  | (Node & { kind: 'UnsetProperty'; name: string; text: string })
  | (Node & { kind: 'SelectQuery'; query: Query; text: string });

export type StatementOf<K extends Statement['kind']> = Extract<Statement, { kind: K }>;

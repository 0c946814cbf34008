/**
 * The grammar of the ksqlDB dialect: a Chevrotain CstParser whose rules build a concrete syntax
 * tree. ast-builder.ts turns that tree into the AST. Rule and label names here are the contract
 * with the builder.
 */
import { CstParser, EOF, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens.js';

/**
 * How deeply expressions and types may nest: each parenthesis, bracket, function call, CASE,
 * CAST, NOT, sign or type parameter is one level. Chevrotain (and the AST builder and analyzer
 * after it) recurse per level; at this limit the deepest construct (nested parentheses, about a
 * dozen rules per level) uses well under half of Node's default stack, measured.
 */
export const MAX_NESTING_DEPTH = 100;

/** Thrown when a statement nests deeper than MAX_NESTING_DEPTH; `token` is where it happened. */
export class NestingTooDeepError extends Error {
  constructor(readonly token: IToken) {
    super(`nesting deeper than ${MAX_NESTING_DEPTH} levels`);
  }
}

/** Non-reserved keywords that start a clause after a FROM relation, so they are not aliases. */
const CLAUSE_STARTS: TokenType[] = [T.Emit, T.Partition];

export class KsqlGrammar extends CstParser {
  constructor() {
    super(T.allTokens, { maxLookahead: 4, recoveryEnabled: false, nodeLocationTracking: 'full' });
    this.performSelfAnalysis();
  }

  private depth = 0;

  override reset(): void {
    super.reset();
    this.depth = 0;
  }

  /**
   * One nesting level deeper, refusing to go past MAX_NESTING_DEPTH; `leave` ends it. No
   * try/finally (it would cost stack per level): a thrown error ends the parse, and the next
   * parse starts from reset().
   */
  private enter(): void {
    if (!this.RECORDING_PHASE && ++this.depth > MAX_NESTING_DEPTH) throw new NestingTooDeepError(this.LA(1));
  }

  private leave(): void {
    if (!this.RECORDING_PHASE) this.depth--;
  }

  // ------------------------------------------------------------ statements

  public statements = this.RULE('statements', () => {
    this.MANY(() => this.CONSUME(T.Semicolon));
    this.OPTION(() => {
      this.SUBRULE(this.statement);
      this.MANY2(() => {
        this.CONSUME2(T.Semicolon);
        this.OPTION2(() => this.SUBRULE2(this.statement));
      });
    });
  });

  public statement = this.RULE('statement', () => {
    this.OR([
      { GATE: () => this.LA(2).tokenType === T.TypeKw, ALT: () => this.SUBRULE(this.createTypeStatement) },
      { GATE: () => this.LA(2).tokenType === T.TypeKw, ALT: () => this.SUBRULE(this.dropTypeStatement) },
      { ALT: () => this.SUBRULE(this.createStatement) },
      { ALT: () => this.SUBRULE(this.insertStatement) },
      { ALT: () => this.SUBRULE(this.dropStatement) },
      { ALT: () => this.SUBRULE(this.setStatement) },
      { ALT: () => this.SUBRULE(this.unsetStatement) },
      { ALT: () => this.SUBRULE(this.query) },
    ]);
  });

  private createStatement = this.RULE('createStatement', () => {
    this.CONSUME(T.Create);
    this.OPTION(() => {
      this.CONSUME(T.Or);
      this.CONSUME(T.Replace);
    });
    this.OPTION2(() => this.CONSUME(T.Source));
    this.OR([{ ALT: () => this.CONSUME(T.Stream) }, { ALT: () => this.CONSUME(T.Table) }]);
    this.OPTION3(() => {
      this.CONSUME(T.If);
      this.CONSUME(T.Not);
      this.CONSUME(T.Exists);
    });
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.OPTION4(() => {
      this.CONSUME(T.LParen, { LABEL: 'elementsStart' });
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.tableElement) });
      this.CONSUME(T.RParen);
    });
    this.OPTION5(() => this.SUBRULE(this.withProperties));
    this.OPTION6(() => {
      this.CONSUME(T.As);
      this.SUBRULE(this.query);
    });
  });

  private tableElement = this.RULE('tableElement', () => {
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.SUBRULE(this.type);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Key) },
        {
          ALT: () => {
            this.CONSUME(T.Primary);
            this.CONSUME2(T.Key);
          },
        },
      ]);
    });
  });

  private withProperties = this.RULE('withProperties', () => {
    this.CONSUME(T.With);
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.property) });
    this.CONSUME(T.RParen);
  });

  private property = this.RULE('property', () => {
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.literal);
  });

  private insertStatement = this.RULE('insertStatement', () => {
    this.CONSUME(T.Insert);
    this.CONSUME(T.Into);
    this.SUBRULE(this.identifier, { LABEL: 'target' });
    this.OR([
      {
        ALT: () => {
          this.OPTION(() => this.SUBRULE(this.withProperties));
          this.SUBRULE(this.query);
        },
      },
      {
        ALT: () => {
          this.OPTION2(() => {
            this.CONSUME(T.LParen);
            this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.identifier, { LABEL: 'columns' }) });
            this.CONSUME(T.RParen);
          });
          this.CONSUME(T.Values);
          this.CONSUME2(T.LParen);
          this.MANY_SEP2({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'values' }) });
          this.CONSUME2(T.RParen);
        },
      },
    ]);
  });

  private dropStatement = this.RULE('dropStatement', () => {
    this.CONSUME(T.Drop);
    this.OR([{ ALT: () => this.CONSUME(T.Stream) }, { ALT: () => this.CONSUME(T.Table) }]);
    this.OPTION(() => {
      this.CONSUME(T.If);
      this.CONSUME(T.Exists);
    });
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.OPTION2(() => {
      this.CONSUME(T.Delete);
      this.CONSUME(T.Topic);
    });
  });

  /** CREATE TYPE [IF NOT EXISTS] name AS type: a named type for column definitions. */
  private createTypeStatement = this.RULE('createTypeStatement', () => {
    this.CONSUME(T.Create);
    this.CONSUME(T.TypeKw);
    this.OPTION(() => {
      this.CONSUME(T.If);
      this.CONSUME(T.Not);
      this.CONSUME(T.Exists);
    });
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.CONSUME(T.As);
    this.SUBRULE(this.type);
  });

  private dropTypeStatement = this.RULE('dropTypeStatement', () => {
    this.CONSUME(T.Drop);
    this.CONSUME(T.TypeKw);
    this.OPTION(() => {
      this.CONSUME(T.If);
      this.CONSUME(T.Exists);
    });
    this.SUBRULE(this.identifier, { LABEL: 'name' });
  });

  private setStatement = this.RULE('setStatement', () => {
    this.CONSUME(T.Set);
    this.CONSUME(T.StringLiteral, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.CONSUME2(T.StringLiteral, { LABEL: 'value' });
  });

  private unsetStatement = this.RULE('unsetStatement', () => {
    this.CONSUME(T.Unset);
    this.CONSUME(T.StringLiteral, { LABEL: 'name' });
  });

  // ------------------------------------------------------------ queries

  private query = this.RULE('query', () => {
    this.CONSUME(T.Select);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.selectItem) });
    this.CONSUME(T.From);
    this.SUBRULE(this.aliasedRelation, { LABEL: 'from' });
    this.MANY(() => this.SUBRULE(this.joinClause));
    this.OPTION(() => {
      this.CONSUME(T.Window);
      this.SUBRULE(this.windowExpression);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Where);
      this.SUBRULE(this.expression, { LABEL: 'where' });
    });
    this.OPTION3(() => {
      this.CONSUME(T.Group);
      this.CONSUME(T.By);
      this.AT_LEAST_ONE_SEP2({ SEP: T.Comma, DEF: () => this.SUBRULE(this.groupingElement) });
    });
    this.OPTION4(() => {
      this.CONSUME(T.Partition);
      this.CONSUME2(T.By);
      this.AT_LEAST_ONE_SEP3({ SEP: T.Comma, DEF: () => this.SUBRULE3(this.expression, { LABEL: 'partitionBy' }) });
    });
    this.OPTION5(() => {
      this.CONSUME(T.Having);
      this.SUBRULE4(this.expression, { LABEL: 'having' });
    });
    this.OPTION6(() => {
      this.CONSUME(T.Emit);
      this.OR([
        { ALT: () => this.CONSUME(T.Changes) },
        { ALT: () => this.CONSUME(T.Final) },
      ]);
    });
    this.OPTION7(() => {
      this.CONSUME(T.Limit);
      this.CONSUME(T.IntegerValue, { LABEL: 'limit' });
    });
  });

  private selectItem = this.RULE('selectItem', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Star) },
      {
        GATE: () => this.LA(2).tokenType === T.Dot && this.LA(3).tokenType === T.Star,
        ALT: () => {
          this.SUBRULE(this.identifier, { LABEL: 'qualifier' });
          this.CONSUME(T.Dot);
          this.CONSUME2(T.Star);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.expression);
          // `struct->*`: every field of the struct as a column (the postfix loop leaves `->*` here).
          this.OPTION3(() => {
            this.CONSUME(T.StructArrow, { LABEL: 'structAll' });
            this.CONSUME3(T.Star);
          });
          this.OPTION(() => {
            this.OPTION2(() => this.CONSUME(T.As));
            this.SUBRULE2(this.identifier, { LABEL: 'alias' });
          });
        },
      },
    ]);
  });

  private aliasedRelation = this.RULE('aliasedRelation', () => {
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.OPTION({
      GATE: () => !this.startsClause(),
      DEF: () => {
        this.OPTION2(() => this.CONSUME(T.As));
        this.SUBRULE2(this.identifier, { LABEL: 'alias' });
      },
    });
  });

  private joinClause = this.RULE('joinClause', () => {
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Inner) },
        {
          ALT: () => {
            this.CONSUME(T.Left);
            this.OPTION2(() => this.CONSUME(T.Outer));
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Right);
            this.OPTION3(() => this.CONSUME2(T.Outer));
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Full);
            this.OPTION4(() => this.CONSUME3(T.Outer));
          },
        },
        { ALT: () => this.CONSUME4(T.Outer) },
      ]);
    });
    this.CONSUME(T.Join);
    this.SUBRULE(this.aliasedRelation);
    this.OPTION5(() => {
      this.CONSUME(T.Within);
      this.SUBRULE(this.withinExpression);
    });
    this.CONSUME(T.On);
    this.SUBRULE(this.expression, { LABEL: 'on' });
  });

  private withinExpression = this.RULE('withinExpression', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.duration, { LABEL: 'before' });
          this.CONSUME(T.Comma);
          this.SUBRULE2(this.duration, { LABEL: 'after' });
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE3(this.duration, { LABEL: 'size' }) },
    ]);
    this.OPTION(() => {
      this.CONSUME(T.Grace);
      this.CONSUME(T.Period);
      this.SUBRULE4(this.duration, { LABEL: 'grace' });
    });
  });

  private windowExpression = this.RULE('windowExpression', () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.Tumbling, { LABEL: 'kind' }) },
            { ALT: () => this.CONSUME(T.Hopping, { LABEL: 'kind' }) },
          ]);
          this.CONSUME(T.LParen);
          this.CONSUME(T.Size);
          this.SUBRULE(this.duration, { LABEL: 'size' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Session, { LABEL: 'kind' });
          this.CONSUME2(T.LParen);
          this.SUBRULE2(this.duration, { LABEL: 'size' });
        },
      },
    ]);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE(this.windowOption);
    });
    this.CONSUME(T.RParen);
  });

  private windowOption = this.RULE('windowOption', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Advance);
          this.CONSUME(T.By);
          this.SUBRULE(this.duration, { LABEL: 'advance' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Retention);
          this.SUBRULE2(this.duration, { LABEL: 'retention' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Grace);
          this.CONSUME(T.Period);
          this.SUBRULE3(this.duration, { LABEL: 'grace' });
        },
      },
    ]);
  });

  private duration = this.RULE('duration', () => {
    this.CONSUME(T.IntegerValue);
    this.SUBRULE(this.identifier, { LABEL: 'unit' });
  });

  // ------------------------------------------------------------ types

  private type = this.RULE('type', () => {
    this.enter();
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.ArrayKw);
          this.CONSUME(T.LessThan);
          this.SUBRULE(this.type, { LABEL: 'element' });
          this.CONSUME(T.GreaterThan);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.MapKw);
          this.CONSUME2(T.LessThan);
          this.SUBRULE2(this.type, { LABEL: 'key' });
          this.CONSUME(T.Comma);
          this.SUBRULE3(this.type, { LABEL: 'value' });
          this.CONSUME2(T.GreaterThan);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.StructKw);
          this.CONSUME3(T.LessThan);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.structField) });
          this.CONSUME3(T.GreaterThan);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: 'typeName' });
          this.OPTION(() => {
            this.CONSUME(T.LParen);
            this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.IntegerValue, { LABEL: 'param' }) });
            this.CONSUME(T.RParen);
          });
        },
      },
    ]);
    this.leave();
  });

  private structField = this.RULE('structField', () => {
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.SUBRULE(this.type);
  });

  // ------------------------------------------------------------ expressions

  public expression = this.RULE('expression', () => {
    this.enter();
    this.SUBRULE(this.orExpression);
    this.leave();
  });

  private orExpression = this.RULE('orExpression', () => {
    this.SUBRULE(this.andExpression, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.andExpression, { LABEL: 'operands' });
    });
  });

  private andExpression = this.RULE('andExpression', () => {
    this.SUBRULE(this.notExpression, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.notExpression, { LABEL: 'operands' });
    });
  });

  private notExpression = this.RULE('notExpression', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.enter();
          this.SUBRULE(this.notExpression);
          this.leave();
        },
      },
      { ALT: () => this.SUBRULE(this.predicate) },
    ]);
  });

  private predicate = this.RULE('predicate', () => {
    this.SUBRULE(this.valueExpression, { LABEL: 'value' });
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.SUBRULE(this.comparisonOperator);
            this.SUBRULE2(this.valueExpression, { LABEL: 'right' });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Is);
            this.OPTION2(() => this.CONSUME(T.Not, { LABEL: 'isNot' }));
            this.OR2([
              { ALT: () => this.CONSUME(T.Null) },
              {
                ALT: () => {
                  this.CONSUME(T.Distinct);
                  this.CONSUME(T.From);
                  this.SUBRULE3(this.valueExpression, { LABEL: 'right' });
                },
              },
            ]);
          },
        },
        {
          ALT: () => {
            this.OPTION3(() => this.CONSUME2(T.Not, { LABEL: 'negated' }));
            this.OR3([
              {
                ALT: () => {
                  this.CONSUME(T.Between);
                  this.SUBRULE4(this.valueExpression, { LABEL: 'low' });
                  this.CONSUME(T.And);
                  this.SUBRULE5(this.valueExpression, { LABEL: 'high' });
                },
              },
              {
                ALT: () => {
                  this.CONSUME(T.In);
                  this.CONSUME(T.LParen);
                  this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'list' }) });
                  this.CONSUME(T.RParen);
                },
              },
              {
                ALT: () => {
                  this.CONSUME(T.Like);
                  this.SUBRULE6(this.valueExpression, { LABEL: 'pattern' });
                  this.OPTION4(() => {
                    this.CONSUME(T.Escape);
                    this.CONSUME(T.StringLiteral, { LABEL: 'escape' });
                  });
                },
              },
            ]);
          },
        },
      ]);
    });
  });

  private comparisonOperator = this.RULE('comparisonOperator', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Equals) },
      { ALT: () => this.CONSUME(T.NotEqual) },
      { ALT: () => this.CONSUME(T.LessThan) },
      { ALT: () => this.CONSUME(T.LessOrEqual) },
      { ALT: () => this.CONSUME(T.GreaterThan) },
      { ALT: () => this.CONSUME(T.GreaterOrEqual) },
    ]);
  });

  private valueExpression = this.RULE('valueExpression', () => {
    this.SUBRULE(this.additiveExpression, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(T.ConcatOp);
      this.SUBRULE2(this.additiveExpression, { LABEL: 'operands' });
    });
  });

  private additiveExpression = this.RULE('additiveExpression', () => {
    this.SUBRULE(this.multiplicativeExpression, { LABEL: 'operands' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: 'operators' }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'operators' }) },
      ]);
      this.SUBRULE2(this.multiplicativeExpression, { LABEL: 'operands' });
    });
  });

  private multiplicativeExpression = this.RULE('multiplicativeExpression', () => {
    this.SUBRULE(this.unaryExpression, { LABEL: 'operands' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: 'operators' }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: 'operators' }) },
        { ALT: () => this.CONSUME(T.Percent, { LABEL: 'operators' }) },
      ]);
      this.SUBRULE2(this.unaryExpression, { LABEL: 'operands' });
    });
  });

  private unaryExpression = this.RULE('unaryExpression', () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.Minus, { LABEL: 'sign' }) },
            { ALT: () => this.CONSUME(T.Plus, { LABEL: 'sign' }) },
          ]);
          this.enter();
          this.SUBRULE(this.unaryExpression);
          this.leave();
        },
      },
      { ALT: () => this.SUBRULE(this.postfixExpression) },
    ]);
  });

  private postfixExpression = this.RULE('postfixExpression', () => {
    this.SUBRULE(this.primaryExpression);
    this.MANY({
      GATE: () => !(this.LA(1).tokenType === T.StructArrow && this.LA(2).tokenType === T.Star),
      DEF: () =>
        this.OR([
          {
            ALT: () => {
              this.CONSUME(T.LBracket, { LABEL: 'postfix' });
              this.SUBRULE(this.expression, { LABEL: 'index' });
              this.CONSUME(T.RBracket);
            },
          },
          {
            ALT: () => {
              this.CONSUME(T.StructArrow, { LABEL: 'postfix' });
              this.SUBRULE(this.identifier, { LABEL: 'field' });
            },
          },
        ]),
    });
  });

  private primaryExpression = this.RULE('primaryExpression', () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.unsignedLiteral) },
        { ALT: () => this.SUBRULE(this.caseExpression) },
        { ALT: () => this.SUBRULE(this.castExpression) },
        { GATE: () => this.LA(2).tokenType === T.LBracket, ALT: () => this.SUBRULE(this.arrayConstructor) },
        { GATE: () => this.LA(2).tokenType === T.LParen, ALT: () => this.SUBRULE(this.mapConstructor) },
        { GATE: () => this.LA(2).tokenType === T.LParen, ALT: () => this.SUBRULE(this.structConstructor) },
        { GATE: () => this.LA(2).tokenType === T.LParen, ALT: () => this.SUBRULE(this.functionCall) },
        { ALT: () => this.SUBRULE(this.columnReference) },
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.SUBRULE(this.expression);
            this.CONSUME(T.RParen);
          },
        },
      ],
    });
  });

  private literal = this.RULE('literal', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Null) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(T.Minus));
          this.OR2([
            { ALT: () => this.CONSUME(T.IntegerValue) },
            { ALT: () => this.CONSUME(T.DecimalValue) },
            { ALT: () => this.CONSUME(T.FloatingPointValue) },
          ]);
        },
      },
    ]);
  });

  /** Literals inside expressions: a leading minus is parsed as negation and folded by the builder. */
  private unsignedLiteral = this.RULE('unsignedLiteral', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Null) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.IntegerValue) },
      { ALT: () => this.CONSUME(T.DecimalValue) },
      { ALT: () => this.CONSUME(T.FloatingPointValue) },
    ]);
  });

  private caseExpression = this.RULE('caseExpression', () => {
    this.CONSUME(T.Case);
    this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'operand' }));
    this.AT_LEAST_ONE(() => {
      this.CONSUME(T.When);
      this.SUBRULE2(this.expression, { LABEL: 'when' });
      this.CONSUME(T.Then);
      this.SUBRULE3(this.expression, { LABEL: 'then' });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Else);
      this.SUBRULE4(this.expression, { LABEL: 'otherwise' });
    });
    this.CONSUME(T.End);
  });

  private castExpression = this.RULE('castExpression', () => {
    this.CONSUME(T.Cast);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.As);
    this.SUBRULE(this.type);
    this.CONSUME(T.RParen);
  });

  private arrayConstructor = this.RULE('arrayConstructor', () => {
    this.CONSUME(T.ArrayKw);
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'elements' }) });
    this.CONSUME(T.RBracket);
  });

  private mapConstructor = this.RULE('mapConstructor', () => {
    this.CONSUME(T.MapKw);
    this.CONSUME(T.LParen);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        this.SUBRULE(this.expression, { LABEL: 'keys' });
        this.CONSUME(T.Assign);
        this.SUBRULE2(this.expression, { LABEL: 'values' });
      },
    });
    this.CONSUME(T.RParen);
  });

  private structConstructor = this.RULE('structConstructor', () => {
    this.CONSUME(T.StructKw);
    this.CONSUME(T.LParen);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        this.SUBRULE(this.identifier, { LABEL: 'names' });
        this.CONSUME(T.Assign);
        this.SUBRULE(this.expression, { LABEL: 'values' });
      },
    });
    this.CONSUME(T.RParen);
  });

  private functionCall = this.RULE('functionCall', () => {
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star) },
        {
          ALT: () => {
            this.OPTION2(() => this.CONSUME(T.Distinct));
            this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.functionArgument, { LABEL: 'args' }) });
          },
        },
      ]);
    });
    this.CONSUME(T.RParen);
  });

  private functionArgument = this.RULE('functionArgument', () => {
    this.OR([
      { GATE: () => this.startsLambda(), ALT: () => this.SUBRULE(this.lambda) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
  });

  private lambda = this.RULE('lambda', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.identifier, { LABEL: 'params' }) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.identifier, { LABEL: 'params' }) });
          this.CONSUME(T.RParen);
        },
      },
    ]);
    this.CONSUME(T.LambdaArrow);
    this.SUBRULE(this.expression, { LABEL: 'body' });
  });

  private columnReference = this.RULE('columnReference', () => {
    this.SUBRULE(this.identifier, { LABEL: 'parts' });
    this.OPTION(() => {
      this.CONSUME(T.Dot);
      this.SUBRULE2(this.identifier, { LABEL: 'parts' });
    });
  });

  /** ksqlDB's groupingElement: an expression, or a parenthesized list of them `(a, b)`. */
  public groupingElement = this.RULE('groupingElement', () => {
    // Both alternatives may start with `(`: the gate decides, so one token of lookahead suffices
    // (the default depth makes chevrotain's self-analysis explore expression paths for seconds).
    this.OR({
      MAX_LOOKAHEAD: 1,
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.startsGroupingSet(),
          ALT: () => {
            this.CONSUME(T.LParen);
            this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'groupBy' }) });
            this.CONSUME(T.RParen);
          },
        },
        { ALT: () => this.SUBRULE2(this.expression, { LABEL: 'groupBy' }) },
      ],
    });
  });

  public identifier = this.RULE('identifier', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.BacktickIdentifier) },
      { ALT: () => this.CONSUME(T.DoubleQuotedIdentifier) },
      { ALT: () => this.CONSUME(T.DigitIdentifier) },
      { ALT: () => this.CONSUME(T.NonReserved) },
    ]);
  });

  // ------------------------------------------------------------ lookahead helpers

  /** `(` whose matching `)` encloses a top-level comma or nothing: a grouping set, not a parenthesized expression. */
  private startsGroupingSet(): boolean {
    if (this.LA(1).tokenType !== T.LParen) return false;
    let depth = 0;
    for (let i = 1; ; i++) {
      const t = this.LA(i).tokenType;
      if (t === EOF) return false;
      if (t === T.LParen || t === T.LBracket) depth++;
      else if (t === T.RParen || t === T.RBracket) {
        depth--;
        if (depth === 0) return i === 2;
      } else if (t === T.Comma && depth === 1) return true;
    }
  }

  private startsClause(): boolean {
    const next = this.LA(1).tokenType;
    if (next === T.Partition) return this.LA(2).tokenType === T.By;
    return CLAUSE_STARTS.includes(next);
  }

  /** `x =>` or `(x, y) =>`: scans ahead without consuming. */
  private startsLambda(): boolean {
    const isName = (t: IToken) =>
      t.tokenType === T.Identifier || t.tokenType === T.BacktickIdentifier || (t.tokenType.CATEGORIES ?? []).includes(T.NonReserved);
    if (isName(this.LA(1))) return this.LA(2).tokenType === T.LambdaArrow;
    if (this.LA(1).tokenType !== T.LParen) return false;
    let i = 2;
    for (;;) {
      if (!isName(this.LA(i))) return false;
      const sep = this.LA(i + 1).tokenType;
      if (sep === T.RParen) return this.LA(i + 2).tokenType === T.LambdaArrow;
      if (sep !== T.Comma) return false;
      i += 2;
    }
  }
}

let instance: KsqlGrammar | undefined;

/**
 * One parser instance is reused: Chevrotain parsers are stateful but cheap to reset. It is built on
 * first use, since its self-analysis is most of the SQL front end's load time.
 */
export function sqlGrammar(): KsqlGrammar {
  return (instance ??= new KsqlGrammar());
}

/**
 * Lexer tokens of the ksqlDB dialect. Keywords are case-insensitive and fall back to identifiers
 * (`longer_alt`) so `SELECTED` is an identifier. Keywords in the NonReserved category may also be
 * used as identifiers, as ksqlDB's grammar allows (e.g. a column named KEY or DATE).
 */
import { createToken, Lexer, type ILexingResult, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED, line_breaks: true });

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_@$]*/ });
export const BacktickIdentifier = createToken({ name: 'BacktickIdentifier', pattern: /`(?:[^`]|``)*`/, line_breaks: true });
export const DoubleQuotedIdentifier = createToken({ name: 'DoubleQuotedIdentifier', pattern: /"(?:[^"]|"")*"/, line_breaks: true });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^']|'')*'/, line_breaks: true });
export const FloatingPointValue = createToken({ name: 'FloatingPointValue', pattern: /(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+/ });
export const DecimalValue = createToken({ name: 'DecimalValue', pattern: /\d+\.\d*|\.\d+/ });
export const IntegerValue = createToken({ name: 'IntegerValue', pattern: /\d+/ });
/** ksqlDB's DIGIT_IDENTIFIER: a name starting with a digit, e.g. `AS 1R`. */
export const DigitIdentifier = createToken({ name: 'DigitIdentifier', pattern: /\d+[A-Za-z_@][A-Za-z0-9_@]*/ });

/** Category of keywords that may also be used as identifiers. */
export const NonReserved = createToken({ name: 'NonReserved', pattern: Lexer.NA });

const keywordTokens: TokenType[] = [];

function keyword(word: string, nonReserved = false): TokenType {
  const token = createToken({
    name: word,
    pattern: new RegExp(`${word}(?![A-Za-z0-9_@$])`, 'i'),
    longer_alt: Identifier,
    categories: nonReserved ? [NonReserved] : [],
  });
  keywordTokens.push(token);
  return token;
}

export const Create = keyword('CREATE');
export const Or = keyword('OR');
export const Replace = keyword('REPLACE', true);
export const Stream = keyword('STREAM');
export const Table = keyword('TABLE');
export const Source = keyword('SOURCE', true);
export const With = keyword('WITH');
export const As = keyword('AS');
export const Select = keyword('SELECT');
export const From = keyword('FROM');
export const Where = keyword('WHERE');
export const Group = keyword('GROUP');
export const By = keyword('BY');
export const Having = keyword('HAVING');
export const Partition = keyword('PARTITION', true);
export const Window = keyword('WINDOW');
export const Tumbling = keyword('TUMBLING');
export const Hopping = keyword('HOPPING');
export const Session = keyword('SESSION', true);
export const Size = keyword('SIZE', true);
export const Advance = keyword('ADVANCE', true);
export const Retention = keyword('RETENTION', true);
export const Grace = keyword('GRACE', true);
export const Period = keyword('PERIOD', true);
export const Emit = keyword('EMIT', true);
export const Changes = keyword('CHANGES', true);
export const Final = keyword('FINAL', true);
export const Insert = keyword('INSERT');
export const Into = keyword('INTO');
export const Values = keyword('VALUES');
export const Drop = keyword('DROP');
export const If = keyword('IF', true);
export const Exists = keyword('EXISTS');
export const Delete = keyword('DELETE', true);
export const Topic = keyword('TOPIC', true);
export const TypeKw = keyword('TYPE', true);
export const Set = keyword('SET', true);
export const Unset = keyword('UNSET', true);
export const Join = keyword('JOIN');
export const Inner = keyword('INNER');
export const Left = keyword('LEFT');
export const Right = keyword('RIGHT');
export const Full = keyword('FULL');
export const Outer = keyword('OUTER');
export const On = keyword('ON');
export const Within = keyword('WITHIN');
export const And = keyword('AND');
export const Not = keyword('NOT');
export const Is = keyword('IS');
export const Null = keyword('NULL');
export const Distinct = keyword('DISTINCT');
export const Between = keyword('BETWEEN');
export const In = keyword('IN');
export const Like = keyword('LIKE');
export const Escape = keyword('ESCAPE', true);
export const Case = keyword('CASE');
export const When = keyword('WHEN');
export const Then = keyword('THEN');
export const Else = keyword('ELSE');
export const End = keyword('END');
export const Cast = keyword('CAST');
export const True = keyword('TRUE');
export const False = keyword('FALSE');
export const Primary = keyword('PRIMARY', true);
export const Key = keyword('KEY', true);
export const ArrayKw = keyword('ARRAY', true);
export const MapKw = keyword('MAP', true);
export const StructKw = keyword('STRUCT', true);
export const Limit = keyword('LIMIT');

export const Assign = createToken({ name: 'Assign', pattern: /:=/ });
export const LambdaArrow = createToken({ name: 'LambdaArrow', pattern: /=>/ });
export const StructArrow = createToken({ name: 'StructArrow', pattern: /->/ });
export const LessOrEqual = createToken({ name: 'LessOrEqual', pattern: /<=/ });
export const GreaterOrEqual = createToken({ name: 'GreaterOrEqual', pattern: '>' + '=' });
export const NotEqual = createToken({ name: 'NotEqual', pattern: /<>|!=/ });
export const Equals = createToken({ name: 'Equals', pattern: '=' });
export const LessThan = createToken({ name: 'LessThan', pattern: '<' });
export const GreaterThan = createToken({ name: 'GreaterThan', pattern: '>' });
export const ConcatOp = createToken({ name: 'ConcatOp', pattern: '||' });
export const Plus = createToken({ name: 'Plus', pattern: '+' });
export const Minus = createToken({ name: 'Minus', pattern: '-' });
export const Star = createToken({ name: 'Star', pattern: '*' });
export const Slash = createToken({ name: 'Slash', pattern: '/' });
export const Percent = createToken({ name: 'Percent', pattern: '%' });
export const LParen = createToken({ name: 'LParen', pattern: '(' });
export const RParen = createToken({ name: 'RParen', pattern: ')' });
export const LBracket = createToken({ name: 'LBracket', pattern: '[' });
export const RBracket = createToken({ name: 'RBracket', pattern: ']' });
export const Comma = createToken({ name: 'Comma', pattern: ',' });
export const Semicolon = createToken({ name: 'Semicolon', pattern: ';' });
export const Dot = createToken({ name: 'Dot', pattern: '.' });

/** Order matters: comments before operators, longer operators before their prefixes. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  StringLiteral,
  BacktickIdentifier,
  DoubleQuotedIdentifier,
  FloatingPointValue,
  DecimalValue,
  DigitIdentifier,
  IntegerValue,
  Assign,
  LambdaArrow,
  StructArrow,
  LessOrEqual,
  GreaterOrEqual,
  NotEqual,
  Equals,
  LessThan,
  GreaterThan,
  ConcatOp,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Semicolon,
  Dot,
  NonReserved,
  ...keywordTokens,
  Identifier,
];

let lexer: Lexer | undefined;

/**
 * Built on first use: building it (and the grammar) costs about a second of start-up, which every
 * CLI command and worker process that reads no SQL would otherwise pay.
 */
export const sqlLexer = {
  tokenize(text: string): ILexingResult {
    lexer ??= new Lexer(allTokens, { ensureOptimizations: false, positionTracking: 'full' });
    return lexer.tokenize(text);
  },
};

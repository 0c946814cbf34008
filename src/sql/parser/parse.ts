/**
 * Entry point of the front end's syntax stage: SQL text → AST statements, or a positioned SqlError.
 * Syntax errors are worded like ksqlDB's (ANTLR) messages: "mismatched input 'X' expecting Y",
 * "no viable alternative at input 'X'", "extraneous input 'X'".
 */
import { EOF, type IRecognitionException, type IToken } from 'chevrotain';
import { SqlError, type SourcePos } from '../errors.js';
import type { Expr, Statement } from './ast.js';
import { AstBuilder } from './ast-builder.js';
import { sqlGrammar, MAX_NESTING_DEPTH, NestingTooDeepError } from './grammar.js';
import { sqlLexer } from './tokens.js';

export interface ParseOptions {
  /** File name used in error messages. */
  file?: string;
}

export function parseStatements(text: string, options: ParseOptions = {}): Statement[] {
  const file = options.file ?? '<sql>';
  try {
    const lexed = sqlLexer.tokenize(text);
    const lexError = lexed.errors[0];
    if (lexError) {
      const ch = text.charAt(lexError.offset);
      const what = ch === "'" ? 'unterminated string literal' : ch === '`' || ch === '"' ? 'unterminated quoted identifier' : ch === '/' && text.charAt(lexError.offset + 1) === '*' ? 'unterminated comment' : `token recognition error at: '${ch}'`;
      throw new SqlError(what, { line: lexError.line ?? 1, column: lexError.column ?? 1, offset: lexError.offset });
    }
    const grammar = sqlGrammar();
    grammar.input = lexed.tokens;
    const cst = grammar.statements();
    const parseError = grammar.errors[0];
    if (parseError) throw syntaxError(parseError, text);
    return new AstBuilder(text).statements(cst);
  } catch (e) {
    if (e instanceof SqlError) throw e.withSource(file, text);
    throw tooDeep(e, text)?.withSource(file, text) ?? e;
  }
}

/** Parses a single expression (used by tests, INSERT VALUES tooling and the REPL). */
export function parseExpression(text: string, options: ParseOptions = {}): Expr {
  const file = options.file ?? '<expr>';
  try {
    const lexed = sqlLexer.tokenize(text);
    const lexError = lexed.errors[0];
    if (lexError) {
      throw new SqlError(`token recognition error at: '${text.charAt(lexError.offset)}'`, {
        line: lexError.line ?? 1,
        column: lexError.column ?? 1,
        offset: lexError.offset,
      });
    }
    const grammar = sqlGrammar();
    grammar.input = lexed.tokens;
    const cst = grammar.expression();
    const parseError = grammar.errors[0];
    if (parseError) throw syntaxError(parseError, text);
    return new AstBuilder(text).expression(cst);
  } catch (e) {
    if (e instanceof SqlError) throw e.withSource(file, text);
    throw tooDeep(e, text)?.withSource(file, text) ?? e;
  }
}

/**
 * Nesting past the grammar's limit, as a positioned error. A stack overflow is caught too, as a
 * last resort (a caller already deep in its own stack): it is reported where the parser stood.
 */
function tooDeep(e: unknown, text: string): SqlError | undefined {
  const message = `expression nested too deeply: more than ${MAX_NESTING_DEPTH} levels of parentheses, brackets, function calls, CASE, NOT or signs`;
  if (e instanceof NestingTooDeepError) return new SqlError(message, tokenPosition(e.token, text));
  if (e instanceof RangeError && /call stack/i.test(e.message)) return new SqlError(message, tokenPosition((sqlGrammar() as unknown as { LA(i: number): IToken }).LA(1), text));
  return undefined;
}

function describe(t: IToken): string {
  return t.tokenType === EOF ? '<EOF>' : t.image;
}

function tokenPosition(t: IToken, text: string): SourcePos {
  if (t.tokenType === EOF || Number.isNaN(t.startOffset)) {
    // Position just after the last character of the input.
    const lines = text.split(/\r\n|\r|\n/);
    const last = lines[lines.length - 1] ?? '';
    return { line: lines.length, column: last.length + 1, offset: text.length };
  }
  return { line: t.startLine ?? 1, column: t.startColumn ?? 1, offset: t.startOffset };
}

function syntaxError(e: IRecognitionException, text: string): SqlError {
  const t = e.token;
  const pos = tokenPosition(t, text);
  const found = describe(t);
  switch (e.name) {
    case 'MismatchedTokenException': {
      const expected = /Expecting token of type --> (\S+) <--/.exec(e.message)?.[1];
      return new SqlError(`mismatched input '${found}' expecting ${expected ? prettyTokenName(expected) : 'something else'}`, pos);
    }
    case 'NotAllInputParsedException':
      return new SqlError(`extraneous input '${found}' expecting ';'`, pos);
    case 'EarlyExitException':
    case 'NoViableAltException':
    default:
      if (t.tokenType === EOF) return new SqlError(`mismatched input '<EOF>'`, pos);
      return new SqlError(`no viable alternative at input '${found}'`, pos);
  }
}

const PRETTY: Record<string, string> = {
  LParen: "'('",
  RParen: "')'",
  LBracket: "'['",
  RBracket: "']'",
  Comma: "','",
  Semicolon: "';'",
  Dot: "'.'",
  Equals: "'='",
  LessThan: "'<'",
  GreaterThan: "'>'",
  Assign: "':='",
  LambdaArrow: "'=>'",
  Identifier: 'IDENTIFIER',
  IntegerValue: 'INTEGER_VALUE',
  StringLiteral: 'STRING',
};

function prettyTokenName(name: string): string {
  return PRETTY[name] ?? (/^[A-Z]+$/.test(name) ? `'${name}'` : name);
}

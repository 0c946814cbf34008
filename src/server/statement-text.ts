/**
 * Statement texts of a request or a script: split at the `;` that end statements (not those in
 * strings, quoted names or comments), each with where it starts, so that errors point into the
 * text the user sent. Also what ksqlDB's CLI and server substitute: `${name}` session variables.
 */
import { sqlLexer } from '../sql/parser/tokens.js';
import { SqlError } from '../sql/errors.js';

export interface StatementText {
  /** The statement with its terminating `;`. */
  readonly text: string;
  /** 1-based line and column of its first character in the whole text. */
  readonly line: number;
  readonly column: number;
}

/**
 * The statements of `text`, each ending with `;`. A trailing statement without `;` is returned
 * with `complete: false` (the CLI keeps reading lines; the server rejects it as ksqlDB does).
 */
export function splitStatements(text: string): { statements: StatementText[]; rest: string } {
  // `${name}` variables are not SQL yet: lexed as a same-length name, so offsets stay the text's.
  const lexed = sqlLexer.tokenize(text.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/g, (v) => 'V'.repeat(v.length)));
  if (lexed.errors.length > 0) {
    // An unterminated string or comment: nothing ends before it is closed.
    const firstError = lexed.errors[0]!.offset;
    const before = lexed.tokens.filter((t) => t.startOffset < firstError);
    return cut(text, before);
  }
  return cut(text, lexed.tokens);
}

function cut(text: string, tokens: readonly { image: string; tokenType: { name: string }; startOffset: number; startLine?: number; startColumn?: number }[]): { statements: StatementText[]; rest: string } {
  const statements: StatementText[] = [];
  let first: (typeof tokens)[number] | null = null;
  let end = 0;
  for (const t of tokens) {
    if (first === null) {
      if (t.tokenType.name === 'Semicolon') {
        end = t.startOffset + 1;
        continue;
      }
      first = t;
    }
    if (t.tokenType.name === 'Semicolon') {
      statements.push({ text: text.slice(first.startOffset, t.startOffset + 1), line: first.startLine ?? 1, column: first.startColumn ?? 1 });
      first = null;
      end = t.startOffset + 1;
    }
  }
  return { statements, rest: first === null ? text.slice(end).trim() : text.slice(first.startOffset) };
}

/** Replaces `${name}` by the variable's value (names case-insensitive); an unknown one is an error. */
export function substituteVariables(text: string, variables: ReadonlyMap<string, string>): string {
  if (!text.includes('${')) return text;
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string, offset: number) => {
    const value = variables.get(name.toLowerCase());
    if (value === undefined) {
      const before = text.slice(0, offset).split('\n');
      throw new SqlError(`Variable '${name}' is not defined`, { line: before.length, column: before[before.length - 1]!.length + 1, offset });
    }
    return value;
  });
}

/**
 * JSON text parsing that keeps numbers exact. JSON.parse turns 12345678901234567890 or
 * 0.1000000000000000055 into a rounded double; ksqlDB reads such numbers into BIGINT/DECIMAL
 * exactly. `parseJson` uses JSON.parse when the text cannot contain such numbers (the common,
 * fast case) and otherwise a small exact parser that yields JsonNumber objects for numbers.
 */

/** A JSON number kept as its source text (only produced for numbers a double cannot hold exactly). */
export class JsonNumber {
  constructor(readonly text: string) {}
  toNumber(): number {
    return Number(this.text);
  }
  toJSON(): number {
    return Number(this.text);
  }
}

export type JsonValue = null | boolean | number | string | JsonNumber | JsonValue[] | { [k: string]: JsonValue };

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

/** Digit runs long enough that a double might not hold them exactly. */
const RISKY_NUMBER = /\d{16}|\d[\d.]{16}|\d[eE]/;

/**
 * `ignoreTrailing`: read the first JSON value and ignore what follows it, as Jackson's readTree
 * does by default (ksqlDB's JSON functions parse that way).
 */
export function parseJson(text: string, options: { exactNumbers?: boolean; ignoreTrailing?: boolean } = {}): JsonValue {
  if (!options.exactNumbers && !RISKY_NUMBER.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (e) {
      if (!options.ignoreTrailing) throw new JsonSyntaxError((e as Error).message);
    }
  }
  return new ExactParser(text, options.exactNumbers ?? false).parseDocument(options.ignoreTrailing ?? false);
}

const SAFE_INT = /^-?\d{1,15}$/;

class ExactParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly allAsText: boolean,
  ) {}

  parseDocument(ignoreTrailing: boolean): JsonValue {
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length && !ignoreTrailing) this.error('Unexpected trailing characters');
    return v;
  }

  private error(msg: string): never {
    throw new JsonSyntaxError(`${msg} at position ${this.i}`);
  }

  private ws() {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  private value(): JsonValue {
    const c = this.s[this.i];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.error(`Unexpected character ${c === undefined ? 'end of input' : JSON.stringify(c)}`);
    }
  }

  private literal<T>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.i)) this.error('Unexpected token');
    this.i += word.length;
    return v;
  }

  private number(): number | JsonNumber {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.error('Invalid number');
    const text = m![0];
    this.i += text.length;
    if (this.allAsText) return new JsonNumber(text);
    if (SAFE_INT.test(text)) return Number(text);
    const digits = text.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '');
    return digits.length <= 15 && !/[eE]/.test(text) ? Number(text) : new JsonNumber(text);
  }

  private string(): string {
    const s = this.s;
    this.i++;
    let out = '';
    let start = this.i;
    for (;;) {
      if (this.i >= s.length) this.error('Unterminated string');
      const c = s.charCodeAt(this.i);
      if (c === 34) {
        out += s.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c === 92) {
        out += s.slice(start, this.i);
        const e = s[this.i + 1];
        this.i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = s.slice(this.i, this.i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.error('Invalid unicode escape');
            out += String.fromCharCode(parseInt(hex, 16));
            this.i += 4;
            break;
          }
          default:
            this.error('Invalid escape');
        }
        start = this.i;
        continue;
      }
      if (c < 32) this.error('Control character in string');
      this.i++;
    }
  }

  private array(): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.error('Expected , or ]');
    }
  }

  private object(): { [k: string]: JsonValue } {
    this.i++;
    const out: { [k: string]: JsonValue } = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.error('Expected string key');
      const k = this.string();
      this.ws();
      if (this.s[this.i++] !== ':') this.error('Expected :');
      this.ws();
      out[k] = this.value();
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.error('Expected , or }');
    }
  }
}

/** Serialises a parsed JsonValue back to compact JSON text, numbers as written. */
export function stringifyJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(stringifyJson).join(',')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${stringifyJson(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

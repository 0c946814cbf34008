/**
 * Byte and encoding functions: TO_BYTES, FROM_BYTES, INT/BIGINT/DOUBLE_FROM_BYTES, ENCODE, MD5.
 * Encodings are ksqlDB's: hex, utf8, ascii, base64.
 */
import { createHash } from 'node:crypto';
import { FunctionError } from '../function-error.js';
import type { FunctionRegistry } from '../registry.js';

const ENCODINGS = ['hex', 'utf8', 'ascii', 'base64'] as const;
type Encoding = (typeof ENCODINGS)[number];

function encodingOf(v: unknown): Encoding {
  const e = String(v).toLowerCase();
  if (!(ENCODINGS as readonly string[]).includes(e)) {
    throw new FunctionError(`Supported encoding types are: hex, utf8, ascii and base64`);
  }
  return e as Encoding;
}

/**
 * Text in an encoding → bytes. ENCODE's hex may carry a 0x / X'..' wrapper (`hexWrappers`);
 * TO_BYTES takes bare digits only.
 */
function decode(text: string, enc: Encoding, hexWrappers = false): Buffer {
  switch (enc) {
    case 'hex': {
      // Only the 0x form may have an odd number of digits (a leading 0 is implied).
      let h = text;
      if (!hexWrappers) {
        /* bare digits */
      } else if (/^0x/.test(h)) {
        h = h.slice(2);
        if (h.length % 2 === 1) h = `0${h}`;
      } else if (/^x'.*'$/i.test(h)) h = h.slice(2, -1);
      if (h.length % 2 === 1) throw new FunctionError(`Odd number of characters in: ${text}`);
      if (!/^[0-9a-fA-F]*$/.test(h)) throw new FunctionError(`Illegal hexadecimal character in: ${text}`);
      return Buffer.from(h, 'hex');
    }
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'ascii':
      // Java's String.getBytes(US_ASCII): characters outside ASCII become '?'.
      return Buffer.from(Array.from(text, (c) => (c.charCodeAt(0) < 128 ? c.charCodeAt(0) : 0x3f)));
    case 'base64':
      return Buffer.from(text, 'base64');
  }
}

function encode(bytes: Buffer, enc: Encoding): string {
  switch (enc) {
    case 'hex':
      return bytes.toString('hex');
    case 'utf8':
      return bytes.toString('utf8');
    case 'ascii':
      // Java's new String(bytes, US_ASCII): bytes outside ASCII become U+FFFD.
      return Array.from(bytes, (b) => (b < 128 ? String.fromCharCode(b) : '\uFFFD')).join('');
    case 'base64':
      return bytes.toString('base64');
  }
}

function byteOrder(v: unknown): 'BE' | 'LE' {
  const o = String(v).toUpperCase();
  if (o === 'BIG_ENDIAN') return 'BE';
  if (o === 'LITTLE_ENDIAN') return 'LE';
  throw new FunctionError(`Byte order must be BIG_ENDIAN or LITTLE_ENDIAN, got ${String(v)}`);
}

export function registerBytesFunctions(r: FunctionRegistry): void {
  r.registerScalar({ name: 'TO_BYTES', overloads: [{ params: ['STRING', 'STRING'], returns: 'BYTES', impl: ([s, e]) => decode(s as string, encodingOf(e)) }] });
  r.registerScalar({
    name: 'FROM_BYTES',
    overloads: [
      {
        params: ['BYTES', 'STRING'],
        returns: 'STRING',
        impl: ([b, e]) => {
          const enc = encodingOf(e);
          // FROM_BYTES writes hex in upper case (ksqlDB's BytesUtils), ENCODE in lower case.
          return enc === 'hex' ? encode(b as Buffer, enc).toUpperCase() : encode(b as Buffer, enc);
        },
      },
    ],
  });
  r.registerScalar({
    name: 'ENCODE',
    overloads: [
      {
        params: ['STRING', 'STRING', 'STRING'],
        returns: 'STRING',
        impl: ([s, from, to]) => {
          const f = String(from).toLowerCase();
          const t = String(to).toLowerCase();
          if (!(ENCODINGS as readonly string[]).includes(f) || !(ENCODINGS as readonly string[]).includes(t)) {
            throw new FunctionError('Supported input and output encodings are: hex, utf8, ascii and base64');
          }
          return encode(decode(s as string, f as Encoding, true), t as Encoding);
        },
      },
    ],
  });
  const fromBytes = (name: string, size: number, read: (b: Buffer, o: 'BE' | 'LE') => unknown, returns: string) =>
    r.registerScalar({
      name,
      overloads: [
        { params: ['BYTES'], returns, impl: ([b]) => ((b as Buffer).length === size ? read(b as Buffer, 'BE') : null) },
        { params: ['BYTES', 'STRING'], returns, impl: ([b, o]) => ((b as Buffer).length === size ? read(b as Buffer, byteOrder(o)) : null) },
      ],
    });
  fromBytes('INT_FROM_BYTES', 4, (b, o) => (o === 'BE' ? b.readInt32BE(0) : b.readInt32LE(0)), 'INTEGER');
  fromBytes('BIGINT_FROM_BYTES', 8, (b, o) => (o === 'BE' ? b.readBigInt64BE(0) : b.readBigInt64LE(0)), 'BIGINT');
  fromBytes('DOUBLE_FROM_BYTES', 8, (b, o) => (o === 'BE' ? b.readDoubleBE(0) : b.readDoubleLE(0)), 'DOUBLE');
  r.registerScalar({ name: 'MD5', overloads: [{ params: ['STRING'], returns: 'STRING', impl: ([s]) => createHash('md5').update(s as string, 'utf8').digest('hex') }] });
}

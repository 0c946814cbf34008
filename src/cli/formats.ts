import { serdeByName, serdeNames } from '../serde/serdes.js';
import { UserError } from './errors.js';

/** Renders record bytes for the console in a named format. */
export function formatterFor(format: string): (bytes: Buffer | null) => string {
  const name = format.toLowerCase();
  if (name === 'hex') return (b) => (b === null ? 'null' : b.toString('hex'));
  if (name === 'base64') return (b) => (b === null ? 'null' : b.toString('base64'));
  const serde = serdeByName(name);
  if (serde === undefined) throw new UserError(`unknown format '${format}' (known: ${[...serdeNames(), 'hex', 'base64'].join(', ')})`);
  return (b) => {
    if (b === null) return 'null';
    try {
      const v = serde.deserialize(b);
      if (typeof v === 'string') return v;
      if (Buffer.isBuffer(v)) return v.toString('utf8');
      return typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
    } catch {
      return `<${b.length} bytes not ${name}: ${b.toString('hex')}>`;
    }
  };
}

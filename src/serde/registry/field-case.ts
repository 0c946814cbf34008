/**
 * Values whose record field names differ from the writer schema's only in case (SQL's upper-case columns written
 * with a registered schema of lower-case fields, as ksqlDB's KEY_SCHEMA_ID / VALUE_SCHEMA_ID allow): the same
 * values keyed by the schema's own field names, nested records, arrays, maps and unions included.
 */
import type * as avsc from 'avsc';
import type * as pbjs from 'protobufjs';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Uint8Array);
}

/** The entry of `obj` whose key equals `name` ignoring case (an exact match first). */
function entryIgnoringCase(obj: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  const upper = name.toUpperCase();
  for (const k of Object.keys(obj)) if (k.toUpperCase() === upper) return obj[k];
  return undefined;
}

function mapValues(v: Record<string, unknown>, f: (x: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = f(v[k]);
  return out;
}

/**
 * A union given as the STRUCT ksqlDB reads it as (one field per branch, named by the branch's simple name, at most
 * one set): the branch of its set field and that field's value, null when none is set; undefined for any other value.
 */
function unionMember(v: unknown, branches: readonly avsc.Type[]): { branch: avsc.Type; value: unknown } | null | undefined {
  if (!isPlainObject(v)) return undefined;
  const byName = new Map<string, avsc.Type>();
  for (const b of branches) if (b.typeName !== 'null') byName.set(b.branchName!.slice(b.branchName!.lastIndexOf('.') + 1).toUpperCase(), b);
  const keys = Object.keys(v);
  if (keys.length === 0 || !keys.every((k) => byName.has(k.toUpperCase()))) return undefined;
  const set = keys.find((k) => v[k] !== null && v[k] !== undefined);
  return set === undefined ? null : { branch: byName.get(set.toUpperCase())!, value: v[set] };
}

export function withAvroFieldNames(v: unknown, type: avsc.Type): unknown {
  if (v === null || v === undefined) return v;
  const t = type as avsc.Type & { fields?: avsc.types.Field[]; types?: avsc.Type[]; itemsType?: avsc.Type; valuesType?: avsc.Type };
  switch (type.typeName) {
    case 'record':
    case 'error': {
      if (!isPlainObject(v)) return v;
      const out: Record<string, unknown> = {};
      for (const f of t.fields!) {
        const x = entryIgnoringCase(v, f.name);
        if (x !== undefined) out[f.name] = withAvroFieldNames(x, f.type);
      }
      return out;
    }
    case 'array':
      return Array.isArray(v) ? v.map((e) => withAvroFieldNames(e, t.itemsType!)) : v;
    case 'map':
      return isPlainObject(v) ? mapValues(v, (x) => withAvroFieldNames(x, t.valuesType!)) : v;
    case 'union:unwrapped':
    case 'union:wrapped': {
      const member = unionMember(v, t.types!);
      if (member === null) return null;
      if (member) {
        const x = withAvroFieldNames(member.value, member.branch);
        return type.typeName === 'union:wrapped' ? { [member.branch.branchName!]: x } : x;
      }
      for (const branch of t.types!) {
        if (branch.typeName === 'null') continue;
        const candidate = withAvroFieldNames(v, branch);
        if (branch.isValid(candidate)) return candidate;
      }
      return v;
    }
    default:
      return v;
  }
}

export function withProtobufFieldNames(v: unknown, type: pbjs.Type): unknown {
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const f of type.fieldsArray) {
    const x = entryIgnoringCase(v, f.name);
    if (x === undefined) continue;
    const nested = f.resolvedType && 'fieldsArray' in f.resolvedType ? (f.resolvedType as pbjs.Type) : undefined;
    // a bare scalar for a google.protobuf.*Value field is that wrapper's value
    const wrapper = nested !== undefined && nested.fullName.startsWith('.google.protobuf.') && nested.fullName.endsWith('Value');
    const one = (e: unknown): unknown => (wrapper && !isPlainObject(e) ? { value: e } : nested ? withProtobufFieldNames(e, nested) : e);
    out[f.name] = f.repeated && Array.isArray(x) ? x.map(one) : f.map && isPlainObject(x) ? mapValues(x, one) : one(x);
  }
  return out;
}

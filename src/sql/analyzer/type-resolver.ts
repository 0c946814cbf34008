/** Turns type syntax (TypeAst) into SqlTypes, with ksqlDB's names and checks. */
import { fail } from '../errors.js';
import type { TypeAst } from '../parser/ast.js';
import { array, decimal, map, PRIMITIVE_TYPES, struct, type SqlType } from '../types/sql-type.js';

/** `custom`: types registered with CREATE TYPE, by upper-case name. */
export function resolveType(t: TypeAst, custom?: ReadonlyMap<string, SqlType>): SqlType {
  switch (t.kind) {
    case 'ArrayType':
      return array(resolveType(t.element, custom));
    case 'MapType':
      return map(resolveType(t.key, custom), resolveType(t.value, custom));
    case 'StructType': {
      const seen = new Set<string>();
      for (const f of t.fields) {
        if (seen.has(f.name)) fail(`Duplicate field names found in STRUCT: '${f.name}'`, f.pos);
        seen.add(f.name);
      }
      return struct(t.fields.map((f) => ({ name: f.name, type: resolveType(f.type, custom) })));
    }
    case 'PrimitiveType': {
      if (t.name === 'DECIMAL') {
        if (t.params.length !== 2) fail('DECIMAL type requires precision and scale, e.g. DECIMAL(10, 2)', t.pos);
        const [p, s] = t.params as [number, number];
        if (p < 1) fail(`DECIMAL precision must be >= 1: DECIMAL(${p}, ${s})`, t.pos);
        if (s > p) fail(`DECIMAL precision must be >= scale: DECIMAL(${p}, ${s})`, t.pos);
        return decimal(p, s);
      }
      const prim = PRIMITIVE_TYPES[t.name] ?? (t.params.length === 0 ? custom?.get(t.name.toUpperCase()) : undefined);
      if (!prim) fail(`Unknown type: ${t.name}`, t.pos);
      if (t.params.length && !(t.name === 'VARCHAR' || t.name === 'STRING')) fail(`Unexpected parameters for type ${t.name}`, t.pos);
      return prim;
    }
  }
}

/** Built-in table functions (UDTFs). Several in one SELECT are zipped as ksqlDB does (see plan docs). */
import type { FunctionRegistry } from './registry.js';

export function registerTableFunctions(r: FunctionRegistry): void {
  r.registerTable({
    name: 'EXPLODE',
    overloads: [{ params: ['ARRAY<T>'], returns: 'T', impl: ([a]) => a as unknown[] }],
  });
  r.registerTable({
    name: 'CUBE_EXPLODE',
    overloads: [
      {
        params: ['ARRAY<T>'],
        returns: 'ARRAY<T>',
        impl: ([a]) => {
          const input = a as unknown[];
          const out: unknown[][] = [];
          const n = input.length;
          for (let mask = 0; mask < 1 << n; mask++) {
            // ksqlDB emits combinations from all-values to all-nulls.
            out.push(input.map((v, i) => (mask & (1 << (n - 1 - i)) ? null : v)));
          }
          return out;
        },
      },
    ],
  });
}

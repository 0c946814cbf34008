/** Built-in table functions (UDTFs). Several in one SELECT are zipped as ksqlDB does (see plan docs). */
import { requireCollectionSize } from './limits.js';
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
          // 2^n rows: the same bound as any collection a function builds.
          if (n > 19) requireCollectionSize('CUBE_EXPLODE', 2 ** n);
          // ksqlDB's Cube: bit i of the mask (from the right) keeps the value of column n-1-i;
          // from all-nulls to all-values; a NULL column makes the rows that would keep it duplicates.
          let nonNull = 0;
          for (let i = 0; i < n; i++) if (input[i] !== null && input[i] !== undefined) nonNull |= 1 << (n - 1 - i);
          for (let mask = 0; mask < 1 << n; mask++) {
            if ((mask & nonNull) !== mask) continue;
            out.push(input.map((v, i) => (mask & (1 << (n - 1 - i)) ? v : null)));
          }
          return out;
        },
      },
    ],
  });
}

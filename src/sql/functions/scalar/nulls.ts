/** NULL-handling scalar functions: COALESCE, IFNULL, NULLIF; and AS_VALUE (copies a key into the value). */
import { valuesEqual } from '../../types/values.js';
import type { FunctionRegistry } from '../registry.js';

export function registerNullFunctions(r: FunctionRegistry): void {
  r.registerScalar({
    name: 'COALESCE',
    overloads: [
      {
        params: ['T'],
        variadic: true,
        returns: 'T',
        nullTolerant: true,
        impl: (args) => {
          for (const a of args) if (a !== null) return a;
          return null;
        },
      },
    ],
  });
  r.registerScalar({
    name: 'IFNULL',
    overloads: [{ params: ['T', 'T'], returns: 'T', nullTolerant: true, impl: ([a, b]) => (a === null ? b : a) }],
  });
  r.registerScalar({
    name: 'NULLIF',
    overloads: [{ params: ['T', 'T'], returns: 'T', nullTolerant: true, impl: ([a, b]) => (a === null || (b !== null && valuesEqual(a, b)) ? null : a) }],
  });
  // AS_VALUE(x) is x: a projection of it is a value column even when x is a key (ksqlDB's AsValue).
  r.registerScalar({
    name: 'AS_VALUE',
    overloads: [{ params: ['T'], returns: 'T', nullTolerant: true, impl: ([a]) => a }],
  });
}

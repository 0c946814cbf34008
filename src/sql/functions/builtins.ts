/** The registry of built-in functions, and a factory for registries users extend. */
import { registerAggregateFunctions } from './aggregate/builtins.js';
import { FunctionRegistry } from './registry.js';
import { registerCollectionFunctions } from './scalar/collections.js';
import { registerDateTimeFunctions } from './scalar/datetime.js';
import { registerJsonFunctions } from './scalar/json.js';
import { registerMathFunctions } from './scalar/math.js';
import { registerNullFunctions } from './scalar/nulls.js';
import { registerStringFunctions } from './scalar/strings.js';
import { registerTableFunctions } from './table.js';

/** A new registry holding every built-in function; register your own on it. */
export function createFunctionRegistry(): FunctionRegistry {
  const r = new FunctionRegistry();
  registerStringFunctions(r);
  registerMathFunctions(r);
  registerNullFunctions(r);
  registerCollectionFunctions(r);
  registerDateTimeFunctions(r);
  registerJsonFunctions(r);
  registerAggregateFunctions(r);
  registerTableFunctions(r);
  return r;
}

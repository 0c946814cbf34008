/** The registry of built-in functions, and a factory for registries users extend. */
import { registerAggregateFunctions } from './aggregate/builtins.js';
import { FunctionRegistry } from './registry.js';
import { registerBytesFunctions } from './scalar/bytes.js';
import { registerCollectionFunctions, registerSliceFunction } from './scalar/collections.js';
import { registerIntervalFunctions } from './scalar/intervals.js';
import { registerMaskFunctions } from './scalar/mask.js';
import { registerUrlFunctions } from './scalar/url.js';
import { registerDateTimeFunctions } from './scalar/datetime.js';
import { registerJsonArrayFunctions, registerJsonFunctions } from './scalar/json.js';
import { registerGeoFunctions, registerMathFunctions } from './scalar/math.js';
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
  registerJsonArrayFunctions(r);
  registerSliceFunction(r);
  registerGeoFunctions(r);
  registerBytesFunctions(r);
  registerUrlFunctions(r);
  registerMaskFunctions(r);
  registerIntervalFunctions(r);
  registerAggregateFunctions(r);
  registerTableFunctions(r);
  return r;
}

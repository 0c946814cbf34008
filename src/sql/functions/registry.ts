/**
 * The function registry: scalar functions (UDFs), aggregate functions (UDAFs) and table functions
 * (UDTFs), each with typed overloads. Users extend it from TypeScript:
 *
 *   registry.registerScalar({ name: 'DOUBLE_IT', overloads: [
 *     { params: ['INTEGER'], returns: 'INTEGER', impl: ([x]) => (x as number) * 2 },
 *   ]});
 *
 * Implementations receive their evaluated arguments as an array that the engine reuses between
 * calls: read it, never keep it. Unless an overload is `nullTolerant`, a NULL argument makes the
 * call return NULL without invoking it. Throwing from an implementation makes the whole expression
 * NULL and writes a processing-log entry, as in ksqlDB.
 */
import { formatType, type SqlType } from '../types/sql-type.js';
import { formatSpec, matchSpec, resolveSpec, spec, type Bindings, type TypeSpec } from './signature.js';

export type ScalarImpl = (args: unknown[]) => unknown;

export interface FactoryContext {
  /** Parameter types after overload resolution (arguments are converted to these). */
  readonly argTypes: readonly SqlType[];
  readonly returnType: SqlType;
  /** Values of constant (literal) arguments, undefined for non-constant ones. */
  readonly constants: readonly unknown[];
  /** Session properties (SET), e.g. ksql.functions.collect_list.limit. */
  readonly properties?: ReadonlyMap<string, string>;
}

export type ReturnSpec = string | ((argTypes: readonly SqlType[], bindings: Bindings) => SqlType);

export interface ScalarOverload {
  readonly params: readonly string[];
  /** The last parameter may repeat zero or more times. */
  readonly variadic?: boolean;
  readonly returns: ReturnSpec;
  /** Receives NULL arguments instead of short-circuiting to NULL. */
  readonly nullTolerant?: boolean;
  readonly impl?: ScalarImpl;
  /** Builds the implementation once per call site (e.g. to precompile a constant pattern). */
  readonly factory?: (ctx: FactoryContext) => ScalarImpl;
}

export interface ScalarFunctionDef {
  readonly name: string;
  readonly description?: string;
  /** False for functions like RANDOM whose result differs per call. */
  readonly deterministic?: boolean;
  readonly overloads: readonly ScalarOverload[];
}

/**
 * One aggregation. State objects are immutable: every method returns a new state and never
 * mutates the one it was given (the engine may still hold it as the previous value).
 */
export interface Aggregator<S = unknown> {
  initialize(): S;
  aggregate(value: unknown, state: S): S;
  /** Combines two session windows' states; absent if the function cannot merge. */
  merge?(a: S, b: S): S;
  /** Removes a value from the state, for table aggregations; absent if not undoable. */
  undo?(value: unknown, state: S): S;
  result(state: S): unknown;
}

export interface AggregateOverload {
  /** Column arguments (0 for COUNT(*)). The aggregator receives the single value, or an array. */
  readonly params: readonly string[];
  /** Trailing arguments that must be literals, e.g. TOPK's k. */
  readonly literals?: readonly string[];
  readonly returns: ReturnSpec;
  readonly create: (ctx: FactoryContext) => Aggregator;
}

export interface AggregateFunctionDef {
  readonly name: string;
  readonly description?: string;
  readonly overloads: readonly AggregateOverload[];
}

export interface TableOverload {
  readonly params: readonly string[];
  readonly variadic?: boolean;
  /** Type of each produced element. */
  readonly returns: ReturnSpec;
  /** Returns the rows' values for one input; null or [] produce no rows. */
  readonly impl: (args: unknown[]) => readonly unknown[] | null;
}

export interface TableFunctionDef {
  readonly name: string;
  readonly description?: string;
  readonly overloads: readonly TableOverload[];
}

export class FunctionResolutionError extends Error {
  override readonly name = 'FunctionResolutionError';
}

/** What the analyzer knows of one argument while resolving an overload. */
export type ArgInfo =
  | { readonly kind: 'value'; readonly type: SqlType | null; readonly constant?: unknown }
  | { readonly kind: 'lambda'; readonly arity: number };

/** Types a lambda argument's body given its parameter types; throws if the body is invalid. */
export type LambdaTyper = (argIndex: number, paramTypes: SqlType[]) => SqlType | null;

export interface Resolved<O> {
  readonly overload: O;
  /** Type each argument must be converted to (lambda arguments: undefined). */
  readonly paramTypes: readonly (SqlType | undefined)[];
  /** For lambda arguments: their parameter types. */
  readonly lambdaParams: readonly (SqlType[] | undefined)[];
  readonly returnType: SqlType;
}

interface Candidate<O> {
  overload: O;
  cost: number;
  resolved: Resolved<O>;
}

type Overloadish = { params: readonly string[]; variadic?: boolean; returns: ReturnSpec; literals?: readonly string[] };

function expandParams(o: Overloadish, argc: number): TypeSpec[] | undefined {
  const params = [...o.params, ...(o.literals ?? [])].map(spec);
  if (o.variadic) {
    if (argc < params.length - 1) return undefined;
    const last = params[params.length - 1]!;
    const fixed = params.slice(0, -1);
    while (fixed.length < argc) fixed.push(last);
    return fixed;
  }
  return params.length === argc ? params : undefined;
}

function tryOverload<O extends Overloadish>(o: O, args: readonly ArgInfo[], typeLambda: LambdaTyper | undefined, coerce: boolean): Candidate<O> | undefined {
  const params = expandParams(o, args.length);
  if (!params) return undefined;
  const b: Bindings = new Map();
  let cost = 0;
  // Values first (they bind type variables), then lambdas (whose parameters need those bindings).
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const p = params[i]!;
    if (a.kind === 'lambda') {
      if (p.kind !== 'lambda' || p.params.length !== a.arity) return undefined;
      continue;
    }
    if (p.kind === 'lambda') return undefined;
    const c = matchSpec(p, a.type, b, coerce);
    if (c < 0) return undefined;
    cost += c;
  }
  const lambdaParams: (SqlType[] | undefined)[] = args.map(() => undefined);
  for (let i = 0; i < args.length; i++) {
    const p = params[i]!;
    if (args[i]!.kind !== 'lambda' || p.kind !== 'lambda') continue;
    const ptypes = p.params.map((x) => resolveSpec(x, b));
    if (ptypes.some((t) => t === undefined) || !typeLambda) return undefined;
    const bodyType = typeLambda(i, ptypes as SqlType[]);
    const c = matchSpec(p.result, bodyType, b, coerce);
    if (c < 0) return undefined;
    cost += c;
    lambdaParams[i] = ptypes as SqlType[];
  }
  const paramTypes = args.map((a, i) => {
    const p = params[i]!;
    if (a.kind === 'lambda') return undefined;
    return resolveSpec(p, b, a.type) ?? a.type ?? undefined;
  });
  // Unbound variables (only NULL arguments) default to STRING, as ksqlDB does for untyped NULLs.
  const concrete = paramTypes.map((t, i) => (args[i]!.kind === 'lambda' ? undefined : (t ?? ({ base: 'STRING' } as SqlType))));
  let returnType: SqlType | undefined;
  if (typeof o.returns === 'function') returnType = o.returns(concrete.filter((t): t is SqlType => t !== undefined), b);
  else returnType = resolveSpec(spec(o.returns), b, undefined) ?? (spec(o.returns).kind === 'var' ? { base: 'STRING' } : undefined);
  if (!returnType) return undefined;
  return { overload: o, cost, resolved: { overload: o, paramTypes: concrete, lambdaParams, returnType } };
}

function resolve<O extends Overloadish>(name: string, overloads: readonly O[], args: readonly ArgInfo[], typeLambda?: LambdaTyper): Resolved<O> {
  for (const coerce of [false, true]) {
    const found: Candidate<O>[] = [];
    for (const o of overloads) {
      const c = tryOverload(o, args, typeLambda, coerce);
      if (c) found.push(c);
    }
    if (found.length === 0) continue;
    found.sort((a, b) => a.cost - b.cost);
    const best = found[0]!;
    const tie = found[1];
    if (tie && tie.cost === best.cost && coerce) {
      throw new FunctionResolutionError(
        `Function '${name}' cannot be resolved due to ambiguous method parameters (${describeArgs(args)}).` +
          'Use CAST() to explicitly cast your parameters to one of the supported function calls.',
      );
    }
    return best.resolved;
  }
  const alternatives = overloads.map((o) => `${name}(${[...o.params, ...(o.literals ?? [])].map((p, i, all) => formatSpec(spec(p)) + (o.variadic && i === all.length - 1 ? '...' : '')).join(', ')})`);
  throw new FunctionResolutionError(
    `Function '${name}' does not accept parameters (${describeArgs(args)}).\nValid alternatives are:\n${alternatives.join('\n')}`,
  );
}

function describeArgs(args: readonly ArgInfo[]): string {
  return args.map((a) => (a.kind === 'lambda' ? 'LAMBDA' : a.type ? formatType(a.type) : 'null')).join(', ');
}

export class FunctionRegistry {
  private readonly scalars = new Map<string, ScalarFunctionDef>();
  private readonly aggregates = new Map<string, AggregateFunctionDef>();
  private readonly tables = new Map<string, TableFunctionDef>();

  registerScalar(def: ScalarFunctionDef): this {
    this.checkNew(def.name);
    this.scalars.set(def.name.toUpperCase(), def);
    return this;
  }

  registerAggregate(def: AggregateFunctionDef): this {
    this.checkNew(def.name);
    this.aggregates.set(def.name.toUpperCase(), def);
    return this;
  }

  registerTable(def: TableFunctionDef): this {
    this.checkNew(def.name);
    this.tables.set(def.name.toUpperCase(), def);
    return this;
  }

  private checkNew(name: string) {
    const n = name.toUpperCase();
    if (this.scalars.has(n) || this.aggregates.has(n) || this.tables.has(n)) {
      throw new Error(`A function named ${n} is already registered`);
    }
  }

  kindOf(name: string): 'scalar' | 'aggregate' | 'table' | undefined {
    const n = name.toUpperCase();
    if (this.scalars.has(n)) return 'scalar';
    if (this.aggregates.has(n)) return 'aggregate';
    if (this.tables.has(n)) return 'table';
    return undefined;
  }

  scalar(name: string): ScalarFunctionDef | undefined {
    return this.scalars.get(name.toUpperCase());
  }

  names(): string[] {
    return [...this.scalars.keys(), ...this.aggregates.keys(), ...this.tables.keys()].sort();
  }

  resolveScalar(name: string, args: readonly ArgInfo[], typeLambda?: LambdaTyper): Resolved<ScalarOverload> & { def: ScalarFunctionDef } {
    const def = this.scalars.get(name.toUpperCase());
    if (!def) throw new FunctionResolutionError(`Can't find any functions with the name '${name}'`);
    return { ...resolve(def.name.toUpperCase(), def.overloads, args, typeLambda), def };
  }

  resolveAggregate(name: string, args: readonly ArgInfo[]): Resolved<AggregateOverload> & { def: AggregateFunctionDef } {
    const def = this.aggregates.get(name.toUpperCase());
    if (!def) throw new FunctionResolutionError(`Can not find any aggregate functions with the name '${name}'`);
    return { ...resolve(def.name.toUpperCase(), def.overloads, args), def };
  }

  resolveTable(name: string, args: readonly ArgInfo[]): Resolved<TableOverload> & { def: TableFunctionDef } {
    const def = this.tables.get(name.toUpperCase());
    if (!def) throw new FunctionResolutionError(`Can't find any functions with the name '${name}'`);
    return { ...resolve(def.name.toUpperCase(), def.overloads, args), def };
  }
}

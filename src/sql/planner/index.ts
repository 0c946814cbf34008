/** The SQL planner: logical plans → DSL topologies, scripts, and the in-process test runner. */
export { buildQueryTopology, buildScriptTopology, type PlannerOptions } from './topology.js';
export { planScript, type ScriptPlan, type ScriptInsert, type TopicDeclaration } from './script.js';
export { QueryTestDriver, queryTestDriver, type QueryTestDriverOptions } from './test-driver.js';
export { sqlValueSerde } from './value-codec.js';

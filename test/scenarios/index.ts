/** Every scenario that runs on both logs. Add new scenario lists here. */
import type { Scenario } from './env.js';
import { runtimeScenarios } from './runtime.js';
import { windowJoinScenarios } from './windows-joins.js';
import { exampleScenarios } from './examples.js';

export const scenarios: Scenario[] = [...runtimeScenarios, ...windowJoinScenarios, ...exampleScenarios];
export type { Scenario, ScenarioEnv } from './env.js';

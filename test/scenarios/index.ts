/** Every scenario that runs on both logs. Add new scenario lists here. */
import type { Scenario } from './env.js';
import { runtimeScenarios } from './runtime.js';
import { windowJoinScenarios } from './windows-joins.js';

export const scenarios: Scenario[] = [...runtimeScenarios, ...windowJoinScenarios];
export type { Scenario, ScenarioEnv } from './env.js';

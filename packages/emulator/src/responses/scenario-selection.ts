import { isScenarioName, type ScenarioName } from '../types.js';
import type { RequestAnalysis } from './request-analysis.js';

/** Scenarios that answer content; a request ending with tool output turns them into `tool-result`. */
const CONTENT_SCENARIOS = new Set<ScenarioName>([
  'text',
  'echo',
  'reasoning',
  'tool-call',
  'parallel-tool-calls',
  'tool-result',
  'compaction',
]);

/** Content scenarios a forced `tool_choice` turns into a function call. */
const FORCEABLE_SCENARIOS = new Set<ScenarioName>(['text', 'echo', 'reasoning', 'tool-call', 'tool-result']);

/** The chosen scenario, or why none could be chosen. */
export type ScenarioSelection =
  | { kind: 'selected'; scenario: ScenarioName }
  | { kind: 'unknown'; name: string };

/**
 * Chooses the scenario of a request: the `x-codetether-scenario` header, else the `[scenario:name]`
 * marker of the last user text, else the configured default. A content scenario becomes `tool-result`
 * when the input ends with `function_call_output` items, so tool loops work with any scenario; it
 * becomes `tool-call` when `tool_choice` forces a call (`"required"` or a named function or custom tool); and it
 * becomes `compaction` when the input ends with a `compaction_trigger` item.
 *
 * @param header - the `x-codetether-scenario` header
 * @param analysis - the request
 * @param defaultScenario - `options.scenario`
 */
export function selectScenario(
  header: string | undefined,
  analysis: RequestAnalysis,
  defaultScenario: ScenarioName | undefined,
): ScenarioSelection {
  let scenario: ScenarioName = defaultScenario ?? 'text';
  const headerName = header?.trim().toLowerCase();
  if (headerName !== undefined && headerName !== '') {
    if (!isScenarioName(headerName)) return { kind: 'unknown', name: headerName };
    scenario = headerName;
  } else if (analysis.scenarioMarker !== undefined && isScenarioName(analysis.scenarioMarker)) {
    scenario = analysis.scenarioMarker;
  }
  if (analysis.trailingToolOutputs.length > 0 && CONTENT_SCENARIOS.has(scenario)) scenario = 'tool-result';
  const forced = analysis.toolChoice.kind === 'required' || analysis.toolChoice.kind === 'named';
  if (forced && FORCEABLE_SCENARIOS.has(scenario)) scenario = 'tool-call';
  if (analysis.compactionRequested && CONTENT_SCENARIOS.has(scenario)) scenario = 'compaction';
  return { kind: 'selected', scenario };
}

import { normalizeInputItems } from './input-items.js';
import { type OfferedTool, readToolChoice, type ToolChoice } from './tool-choice.js';

/** What the scripted answers need to know about a Responses request body. */
export interface RequestAnalysis {
  /** `model` as sent. */
  model: string;
  /** Text of the last user message (all its text parts joined). */
  lastUserText: string;
  /** The `[scenario:name]` marker of the last user text, if any. */
  scenarioMarker: string | undefined;
  /** `output` of the trailing `function_call_output` items (empty when the input ends otherwise). */
  trailingToolOutputs: string[];
  /** Function tools offered: name and JSON schema. */
  tools: OfferedTool[];
  /** What `tool_choice` asks for, read against `tools`. */
  toolChoice: ToolChoice;
  /** True when the input ends with a `{"type":"compaction_trigger"}` item (in-band compaction). */
  compactionRequested: boolean;
  /** Approximate input size in characters (for usage numbers). */
  inputCharacters: number;
  /** `prompt_cache_key`, if any. */
  promptCacheKey: string | undefined;
}

/** The `type` of the input item that asks for in-band compaction. */
export const COMPACTION_TRIGGER = 'compaction_trigger';

/** Matches `[scenario:name]` markers in user text. */
export const SCENARIO_MARKER = /\[scenario:([a-z0-9-]+)\]/i;

/**
 * Reads a Responses request body tolerantly (any missing field is treated as empty).
 *
 * @param body - the request body (HTTP JSON body or WebSocket `response.create` frame)
 */
export function analyzeRequest(body: Record<string, unknown>): RequestAnalysis {
  const input = normalizeInput(body.input);
  let lastUserText = '';
  for (let index = input.length - 1; index >= 0; index -= 1) {
    const item = input[index];
    if (item !== undefined && item.role === 'user' && (item.type === undefined || item.type === 'message')) {
      lastUserText = textOf(item.content);
      break;
    }
  }
  const trailingToolOutputs: string[] = [];
  for (let index = input.length - 1; index >= 0; index -= 1) {
    const item = input[index];
    if (item?.type !== 'function_call_output') break;
    trailingToolOutputs.unshift(outputText(item.output));
  }
  const tools: RequestAnalysis['tools'] = [];
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      if (typeof tool !== 'object' || tool === null) continue;
      const record = tool as Record<string, unknown>;
      const nested =
        typeof record.function === 'object' && record.function !== null ? record.function : record;
      const { name, parameters } = nested as Record<string, unknown>;
      if (typeof name !== 'string' || name === '') continue;
      tools.push({
        name,
        parameters:
          typeof parameters === 'object' && parameters !== null
            ? (parameters as Record<string, unknown>)
            : {},
      });
    }
  }
  const instructions = typeof body.instructions === 'string' ? body.instructions : '';
  return {
    model: typeof body.model === 'string' ? body.model : '',
    lastUserText,
    scenarioMarker: SCENARIO_MARKER.exec(lastUserText)?.[1]?.toLowerCase(),
    trailingToolOutputs,
    tools,
    inputCharacters: safeLength(body.input) + instructions.length,
    promptCacheKey: typeof body.prompt_cache_key === 'string' ? body.prompt_cache_key : undefined,
    toolChoice: readToolChoice(body.tool_choice, tools),
    compactionRequested: input.at(-1)?.type === COMPACTION_TRIGGER,
  };
}

function normalizeInput(input: unknown): Array<Record<string, unknown>> {
  return normalizeInputItems(input).filter(
    (item): item is Record<string, unknown> => typeof item === 'object' && item !== null,
  );
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => {
      if (typeof part !== 'object' || part === null) return '';
      const { text } = part as Record<string, unknown>;
      return typeof text === 'string' ? text : '';
    })
    .filter((text) => text !== '')
    .join('\n');
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return textOf(output);
  return output === undefined ? '' : JSON.stringify(output);
}

function safeLength(value: unknown): number {
  if (value === undefined) return 0;
  try {
    return JSON.stringify(value).length;
  } catch {
    return 0;
  }
}

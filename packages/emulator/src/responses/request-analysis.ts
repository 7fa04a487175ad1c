import { normalizeInputItems } from './input-items.js';
import { type OutputFormat, readOutputFormat } from './output-format.js';
import { type OfferedTool, readToolChoice, type ToolChoice } from './tool-choice.js';

/** What the scripted answers need to know about a Responses request body. */
export interface RequestAnalysis {
  /** `model` as sent. */
  model: string;
  /** Text of the last user message (all its text parts joined). */
  lastUserText: string;
  /** The `[scenario:name]` marker of the last user text, if any. */
  scenarioMarker: string | undefined;
  /**
   * `output` of the trailing `function_call_output` and `custom_tool_call_output` items (empty when
   * the input ends otherwise).
   */
  trailingToolOutputs: string[];
  /** Function and custom tools offered, in order. */
  tools: OfferedTool[];
  /** What `text.format` asks the answer to be (plain text, or JSON for structured output). */
  outputFormat: OutputFormat;
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
    if (item === undefined || !TOOL_OUTPUT_TYPES.has(String(item.type))) break;
    trailingToolOutputs.unshift(outputText(item.output));
  }
  const tools = Array.isArray(body.tools) ? body.tools.flatMap(offeredTool) : [];
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
    outputFormat: readOutputFormat(body.text),
    compactionRequested: input.at(-1)?.type === COMPACTION_TRIGGER,
  };
}

/** Input items that answer a tool call. */
const TOOL_OUTPUT_TYPES: ReadonlySet<string> = new Set(['function_call_output', 'custom_tool_call_output']);

/**
 * One entry of `tools` as an offered tool (none for hosted tools without a name): `{type:"custom"}`
 * (or the Chat Completions `{type:"custom", custom:{…}}`) is a custom tool, anything else with a name
 * (`{type:"function"}`, the Chat Completions `{type:"function", function:{…}}`) a function tool.
 */
function offeredTool(tool: unknown): OfferedTool[] {
  if (typeof tool !== 'object' || tool === null) return [];
  const record = tool as Record<string, unknown>;
  const kind = record.type === 'custom' ? 'custom' : 'function';
  const wrapped = record[kind];
  const nested =
    typeof wrapped === 'object' && wrapped !== null ? (wrapped as Record<string, unknown>) : record;
  const { name, parameters, description, format } = nested;
  if (typeof name !== 'string' || name === '') return [];
  return [
    {
      kind,
      name,
      parameters:
        kind === 'function' && typeof parameters === 'object' && parameters !== null
          ? (parameters as Record<string, unknown>)
          : {},
      ...(typeof description === 'string' ? { description } : {}),
      ...(typeof format === 'object' && format !== null ? { format: format as Record<string, unknown> } : {}),
    },
  ];
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

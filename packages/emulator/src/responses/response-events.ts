import { createId } from '../ids.js';
import type { EncryptedContentSealer } from './encrypted-content.js';
import type { RequestAnalysis } from './request-analysis.js';

/** One Responses stream event as sent (the writer adds `sequence_number`). */
export type ResponsesEvent = { type: string } & Record<string, unknown>;

/** Usage numbers reported at the end of a response. */
export interface UsageNumbers {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/**
 * The input tokens this emulator counts for a request: 40 + a token per 4 characters of its input (as
 * JSON) and instructions — what its usage reports and `/v1/responses/input_tokens` answers.
 */
export function inputTokensOf(analysis: Pick<RequestAnalysis, 'inputCharacters'>): number {
  return 40 + Math.ceil(analysis.inputCharacters / 4);
}

/** Holds a response's id, model and output while its events are generated. */
export class ResponseBuilder {
  /** `resp_…` */
  readonly id = createId('resp');
  /** Output items completed so far. */
  readonly output: Array<Record<string, unknown>> = [];
  /** Characters of output text/arguments generated (for usage). */
  outputCharacters = 0;
  /** Reasoning tokens to report. */
  reasoningTokens = 8;
  private readonly createdAt: number;

  /**
   * @param body - the request body
   * @param analysis - what was read from it
   * @param nowMs - clock value (epoch ms)
   * @param sealer - issues `encrypted_content` for reasoning items (when the request includes it)
   */
  constructor(
    private readonly body: Record<string, unknown>,
    private readonly analysis: RequestAnalysis,
    nowMs: number,
    private readonly sealer?: EncryptedContentSealer,
  ) {
    this.createdAt = Math.floor(nowMs / 1000);
  }

  /**
   * The `encrypted_content` of a reasoning item, when the request's `include` asks for
   * `reasoning.encrypted_content` (else `undefined`: the item carries none, as with the real API).
   *
   * @param summary - the reasoning summary sealed into it
   */
  reasoningEncryptedContent(summary: string): string | undefined {
    const include = this.body.include;
    if (this.sealer === undefined || !Array.isArray(include)) return undefined;
    if (!include.includes('reasoning.encrypted_content')) return undefined;
    return this.sealer.seal({ kind: 'reasoning', summary });
  }

  /** The `response` object for lifecycle events. */
  response(status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const terminal = status !== 'in_progress' && status !== 'queued';
    return {
      id: this.id,
      object: 'response',
      created_at: this.createdAt,
      status,
      background: false,
      error: null,
      incomplete_details: null,
      instructions: typeof this.body.instructions === 'string' ? this.body.instructions : null,
      max_output_tokens: typeof this.body.max_output_tokens === 'number' ? this.body.max_output_tokens : null,
      model: this.analysis.model,
      output: terminal ? this.output : [],
      parallel_tool_calls: this.body.parallel_tool_calls !== false,
      previous_response_id:
        typeof this.body.previous_response_id === 'string' ? this.body.previous_response_id : null,
      prompt_cache_key: this.analysis.promptCacheKey ?? null,
      reasoning: this.body.reasoning ?? { effort: null, summary: null },
      service_tier: typeof this.body.service_tier === 'string' ? this.body.service_tier : 'default',
      store: this.body.store === true,
      temperature: typeof this.body.temperature === 'number' ? this.body.temperature : 1,
      text: this.textSettings(),
      tool_choice: this.body.tool_choice ?? 'auto',
      tools: Array.isArray(this.body.tools) ? this.body.tools : [],
      top_p: 1,
      truncation: 'disabled',
      usage: terminal ? this.usage() : null,
      user: null,
      metadata: {},
      ...extra,
    };
  }

  /** The response's `text`: the request's `format` (plain text by default) and `verbosity`. */
  private textSettings(): Record<string, unknown> {
    const text = this.body.text;
    const requested = typeof text === 'object' && text !== null ? (text as Record<string, unknown>) : {};
    return {
      format: requested.format ?? { type: 'text' },
      verbosity: requested.verbosity ?? 'medium',
    };
  }

  /** Usage with cached and reasoning tokens (deterministic for a given request and output). */
  usage(): UsageNumbers {
    const inputTokens = inputTokensOf(this.analysis);
    const cachedTokens = Math.floor(inputTokens / 2);
    const outputTokens = this.reasoningTokens + Math.ceil(this.outputCharacters / 4);
    return {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: cachedTokens },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: this.reasoningTokens },
      total_tokens: inputTokens + outputTokens,
    };
  }
}

/** Splits text into deltas of about `size` characters (never splitting a surrogate pair). */
export function splitText(text: string, size: number): string[] {
  const characters = Array.from(text);
  const pieces: string[] = [];
  for (let index = 0; index < characters.length; index += size) {
    pieces.push(characters.slice(index, index + size).join(''));
  }
  return pieces;
}

/** Splits text into word-sized deltas (each word keeps its leading space). */
export function splitWords(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? (text === '' ? [] : [text]);
}

/**
 * Events of an assistant message: `output_item.added`, `content_part.added`, the text deltas,
 * `output_text.done`, `content_part.done`, `output_item.done`.
 *
 * @param builder - the response
 * @param deltas - text pieces (an iterable so large answers are generated lazily)
 * @param options - item status at the end (`completed` or `incomplete`)
 */
export function* messageEvents(
  builder: ResponseBuilder,
  deltas: Iterable<string>,
  options: { status?: 'completed' | 'incomplete' } = {},
): Generator<ResponsesEvent> {
  const outputIndex = builder.output.length;
  const itemId = createId('msg');
  yield {
    type: 'response.output_item.added',
    output_index: outputIndex,
    item: { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
  };
  yield {
    type: 'response.content_part.added',
    item_id: itemId,
    output_index: outputIndex,
    content_index: 0,
    part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
  };
  const pieces: string[] = [];
  for (const delta of deltas) {
    pieces.push(delta);
    builder.outputCharacters += delta.length;
    yield {
      type: 'response.output_text.delta',
      item_id: itemId,
      output_index: outputIndex,
      content_index: 0,
      delta,
      logprobs: [],
    };
  }
  const text = pieces.join('');
  const part = { type: 'output_text', annotations: [], logprobs: [], text };
  yield {
    type: 'response.output_text.done',
    item_id: itemId,
    output_index: outputIndex,
    content_index: 0,
    text,
    logprobs: [],
  };
  yield {
    type: 'response.content_part.done',
    item_id: itemId,
    output_index: outputIndex,
    content_index: 0,
    part,
  };
  const item = {
    id: itemId,
    type: 'message',
    status: options.status ?? 'completed',
    content: [part],
    role: 'assistant',
  };
  builder.output.push(item);
  yield { type: 'response.output_item.done', output_index: outputIndex, item };
}

/**
 * Events of a reasoning item with one summary part (with `encrypted_content` when the request's
 * `include` asks for it).
 *
 * @param builder - the response
 * @param summary - the summary text
 */
export function* reasoningEvents(builder: ResponseBuilder, summary: string): Generator<ResponsesEvent> {
  const outputIndex = builder.output.length;
  const itemId = createId('rs');
  builder.reasoningTokens = 128;
  yield {
    type: 'response.output_item.added',
    output_index: outputIndex,
    item: { id: itemId, type: 'reasoning', summary: [] },
  };
  yield {
    type: 'response.reasoning_summary_part.added',
    item_id: itemId,
    output_index: outputIndex,
    summary_index: 0,
    part: { type: 'summary_text', text: '' },
  };
  for (const delta of splitWords(summary)) {
    yield {
      type: 'response.reasoning_summary_text.delta',
      item_id: itemId,
      output_index: outputIndex,
      summary_index: 0,
      delta,
    };
  }
  yield {
    type: 'response.reasoning_summary_text.done',
    item_id: itemId,
    output_index: outputIndex,
    summary_index: 0,
    text: summary,
  };
  yield {
    type: 'response.reasoning_summary_part.done',
    item_id: itemId,
    output_index: outputIndex,
    summary_index: 0,
    part: { type: 'summary_text', text: summary },
  };
  const encryptedContent = builder.reasoningEncryptedContent(summary);
  const item = {
    id: itemId,
    type: 'reasoning',
    summary: [{ type: 'summary_text', text: summary }],
    ...(encryptedContent === undefined ? {} : { encrypted_content: encryptedContent }),
  };
  builder.output.push(item);
  yield { type: 'response.output_item.done', output_index: outputIndex, item };
}

/** How the events of one kind of tool call item are shaped. */
interface ToolCallShape {
  /** Output item `type`. */
  itemType: 'function_call' | 'custom_tool_call';
  /** Item id prefix (`fc`, `ctc`). */
  idPrefix: string;
  /** The item field holding the streamed text (`arguments`, `input`). */
  field: 'arguments' | 'input';
  /** The delta and done event types. */
  deltaEvent: string;
  doneEvent: string;
  /** Whether the done event repeats the tool name (function calls do, custom tool calls do not). */
  doneNamesTool: boolean;
}

const FUNCTION_CALL: ToolCallShape = {
  itemType: 'function_call',
  idPrefix: 'fc',
  field: 'arguments',
  deltaEvent: 'response.function_call_arguments.delta',
  doneEvent: 'response.function_call_arguments.done',
  doneNamesTool: true,
};

const CUSTOM_TOOL_CALL: ToolCallShape = {
  itemType: 'custom_tool_call',
  idPrefix: 'ctc',
  field: 'input',
  deltaEvent: 'response.custom_tool_call_input.delta',
  doneEvent: 'response.custom_tool_call_input.done',
  doneNamesTool: false,
};

/**
 * Events of a function call whose arguments arrive split over many deltas. The item id (`fc_…`)
 * differs from the `call_id` (`call_…`), as in real streams.
 *
 * @param builder - the response
 * @param name - function name
 * @param argumentsJson - the complete arguments
 */
export function functionCallEvents(
  builder: ResponseBuilder,
  name: string,
  argumentsJson: string,
): Generator<ResponsesEvent> {
  return toolCallItemEvents(builder, FUNCTION_CALL, name, argumentsJson);
}

/**
 * Events of a custom (free-form) tool call: a `custom_tool_call` item (`ctc_…` id, `call_…` call id)
 * whose `input` arrives over `response.custom_tool_call_input.delta` events, then `.done`.
 *
 * @param builder - the response
 * @param name - the custom tool's name
 * @param input - the complete free-form input
 */
export function customToolCallEvents(
  builder: ResponseBuilder,
  name: string,
  input: string,
): Generator<ResponsesEvent> {
  return toolCallItemEvents(builder, CUSTOM_TOOL_CALL, name, input);
}

function* toolCallItemEvents(
  builder: ResponseBuilder,
  shape: ToolCallShape,
  name: string,
  text: string,
): Generator<ResponsesEvent> {
  const outputIndex = builder.output.length;
  const itemId = createId(shape.idPrefix);
  const callId = createId('call');
  const itemOf = (status: string, value: string) => ({
    id: itemId,
    type: shape.itemType,
    status,
    [shape.field]: value,
    call_id: callId,
    name,
  });
  yield { type: 'response.output_item.added', output_index: outputIndex, item: itemOf('in_progress', '') };
  for (const delta of splitText(text, 4)) {
    builder.outputCharacters += delta.length;
    yield { type: shape.deltaEvent, item_id: itemId, output_index: outputIndex, delta };
  }
  yield {
    type: shape.doneEvent,
    item_id: itemId,
    output_index: outputIndex,
    ...(shape.doneNamesTool ? { name } : {}),
    [shape.field]: text,
  };
  const item = itemOf('completed', text);
  builder.output.push(item);
  yield { type: 'response.output_item.done', output_index: outputIndex, item };
}

/**
 * Events of one `compaction` output item (in-band compaction): `output_item.added` and
 * `output_item.done`, both carrying the whole item.
 *
 * @param builder - the response
 * @param item - the compaction item (`{type:"compaction", id, encrypted_content}`)
 */
export function* compactionEvents(
  builder: ResponseBuilder,
  item: Record<string, unknown>,
): Generator<ResponsesEvent> {
  const outputIndex = builder.output.length;
  yield { type: 'response.output_item.added', output_index: outputIndex, item };
  builder.outputCharacters += String(item.encrypted_content ?? '').length;
  builder.output.push(item);
  yield { type: 'response.output_item.done', output_index: outputIndex, item };
}

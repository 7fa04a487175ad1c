/**
 * Why a response ended: `stop` (the model finished), `tool-calls` (it wants tool results),
 * `length` (it hit the output token limit) or `content-filter` (it refused or was filtered).
 */
export type FinishReason = 'stop' | 'tool-calls' | 'length' | 'content-filter';

/**
 * Token usage of one response. `promptTokens` EXCLUDES cached input tokens (they are reported
 * separately in `cacheReadTokens`); `reasoningTokens` is a subset of `completionTokens`.
 * `totalTokens` is taken from the server as is (it may differ from the sum of the others).
 */
export interface Usage {
  /** Input tokens that were not read from the prompt cache. */
  promptTokens: number;
  /** Output tokens, reasoning included. */
  completionTokens: number;
  /** Total as reported by the server (or prompt + cached + completion when it reports none). */
  totalTokens: number;
  /** Input tokens served from the prompt cache. */
  cacheReadTokens?: number;
  /** Output tokens spent on hidden reasoning. */
  reasoningTokens?: number;
}

/** Visible answer text. */
export interface TextChunk {
  /** Discriminator. */
  type: 'text';
  /** The next piece of text. */
  text: string;
}

/** Reasoning text (summary or raw reasoning) shown as "thinking". */
export interface ThinkingChunk {
  /** Discriminator. */
  type: 'thinking';
  /** The next piece of reasoning text. */
  text: string;
}

/** A tool call begins. `id` is the `call_id` to send back in `function_call_output`. */
export interface ToolCallStartChunk {
  /** Discriminator. */
  type: 'tool-call-start';
  /** The call id (`call_…`), not the item id (`fc_…`). */
  id: string;
  /** The tool (function) name. */
  name: string;
}

/** More argument text of a tool call (JSON for function tools, raw input for custom tools). */
export interface ToolCallDeltaChunk {
  /** Discriminator. */
  type: 'tool-call-delta';
  /** The call id given in the matching `tool-call-start`. */
  id: string;
  /** The next piece of the arguments; all deltas of one call concatenated are its arguments. */
  argumentsDelta: string;
}

/** A tool call's arguments are complete. */
export interface ToolCallEndChunk {
  /** Discriminator. */
  type: 'tool-call-end';
  /** The call id given in the matching `tool-call-start`. */
  id: string;
}

/**
 * One Responses API item as JSON: an output item the server sent (`message`, `reasoning`,
 * `function_call`, `custom_tool_call`, `compaction`…) or an input item (`function_call_output`…).
 * Reasoning items carry `encrypted_content` when the request asked for it. Opaque to CodeTether: it
 * is kept and sent back as it came (without its `id`).
 */
export type ResponseItem = Record<string, unknown>;

/** The response finished successfully (possibly truncated: see `finishReason`). Always the last chunk. */
export interface DoneChunk {
  /** Discriminator. */
  type: 'done';
  /** Token usage, when the server reported it. */
  usage?: Usage;
  /** Why the response ended. */
  finishReason: FinishReason;
  /**
   * The upstream response id (`resp_…`), when the server sent one: what a later request names as
   * `previous_response_id`.
   */
  responseId?: string;
  /**
   * The response's output items as the server sent them (each finished `response.output_item.done`
   * item, then any item only the final response lists), in output order; reasoning items include
   * `encrypted_content` when the request asked for it. Put them back in the next request's input
   * (e.g. as `outputItems` of the assistant message) so the model keeps its reasoning across turns.
   * A tool call's item carries the `call_id` the server finished it with, which may differ from the
   * id of its `tool-call-*` chunks (see `correctedCallIds`).
   * Absent when the response had no output items.
   */
  outputItems?: ResponseItem[];
}

/**
 * Something went wrong. Errors with code `malformed-json` or `invalid-event` concern one event and
 * the stream goes on; every other error ends the stream (nothing follows it).
 */
export interface ErrorChunk {
  /** Discriminator. */
  type: 'error';
  /** What happened and what to do about it. */
  message: string;
  /**
   * Machine-readable code: the server's error code when it sent one (e.g. `context_length_exceeded`),
   * or one of ours: `response-failed`, `response-cancelled`, `stream-closed`, `malformed-json`,
   * `invalid-event`, `buffer-limit-exceeded`, `server-error`.
   */
  code?: string;
}

/** One unit of streamed output, the common currency of every CodeTether package. */
export type StreamChunk =
  | TextChunk
  | ThinkingChunk
  | ToolCallStartChunk
  | ToolCallDeltaChunk
  | ToolCallEndChunk
  | DoneChunk
  | ErrorChunk;

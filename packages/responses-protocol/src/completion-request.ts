import type { FinishReason, ResponseItem, Usage } from './stream-chunk.js';

/**
 * A file given to the model — a PDF or another document the upstream reads (`input_file`): inline
 * as a `data:` URL (`fileData`, e.g. `data:application/pdf;base64,…`), by `https:` URL (`fileUrl`), or
 * by the id of a file uploaded to OpenAI's Files API (`fileId`; only an OpenAI API key can name
 * one). `filename` is sent along (OpenAI requires it with `fileData`).
 */
export type FileContentPart =
  | { type: 'file'; fileData: string; filename?: string }
  | { type: 'file'; fileUrl: string; filename?: string }
  | { type: 'file'; fileId: string; filename?: string };

/**
 * A part of a user message: text, an image (`url` may be an `https:` or a `data:` URL) or a file
 * ({@link FileContentPart}).
 */
export type UserContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; url: string }
  | FileContentPart;

/** A tool call made by the assistant. `id` is the `call_id`. */
export interface ToolCall {
  /** The call id (`call_…`) that the matching tool result refers to. */
  id: string;
  /** The tool name. */
  name: string;
  /** The arguments: a JSON object as text for a function, the raw input of a custom tool. */
  arguments: string;
  /** `custom` for a call of a custom (freeform) tool; a function call otherwise. */
  type?: 'function' | 'custom';
}

/** A function tool the model may call. */
export interface FunctionToolDefinition {
  /** `function` (the default). */
  type?: 'function';
  /** The function name. */
  name: string;
  /** What the function does, for the model. */
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

/**
 * What a custom tool's input must look like: free text, or text matching a grammar (`lark` or
 * `regex` syntax).
 */
export type CustomToolFormat =
  | { type: 'text' }
  | { type: 'grammar'; syntax: 'lark' | 'regex'; definition: string };

/**
 * A custom (freeform) tool: the model calls it with plain text instead of JSON arguments (a
 * `custom_tool_call` item; its result goes back as `custom_tool_call_output`).
 */
export interface CustomToolDefinition {
  /** Discriminator. */
  type: 'custom';
  /** The tool name. */
  name: string;
  /** What the tool does and what its input is, for the model. */
  description?: string;
  /** The input's format (default: free text). */
  format?: CustomToolFormat;
}

/** A tool the model may call: a function (JSON arguments) or a custom tool (free text). */
export type ToolDefinition = FunctionToolDefinition | CustomToolDefinition;

/**
 * An answer of the model in the history. `content` and `toolCalls` describe it; `outputItems` — the
 * `outputItems` of the answer's `done` chunk — carry it exactly, reasoning included: when present,
 * the request sends those items (without their ids) instead of rebuilding the answer from
 * `content` and `toolCalls`, so the model keeps its reasoning across turns.
 */
export interface AssistantMessage {
  /** Discriminator. */
  role: 'assistant';
  /** The answer text. */
  content?: string;
  /** The tool calls it made. */
  toolCalls?: ToolCall[];
  /** The response's output items, as the `done` chunk gave them (opaque; sent back verbatim). */
  outputItems?: ResponseItem[];
}

/**
 * One conversation message. `developer` is accepted and treated like `system` (both become the
 * request's `instructions`).
 */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'developer'; content: string }
  | { role: 'user'; content: string | UserContentPart[] }
  | AssistantMessage
  | { role: 'tool'; toolCallId: string; content: string };

/** Reasoning effort levels understood by the Responses API. */
export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

/** How much of the model's reasoning the response summarises (`reasoning.summary`). */
export type ReasoningSummary = 'auto' | 'concise' | 'detailed';

/** A service tier a request may ask for (`service_tier`). */
export type ServiceTier = 'priority' | 'flex';

/** How long the answer is (`text.verbosity`; only models whose catalogue entry supports verbosity take it). */
export type TextVerbosity = 'low' | 'medium' | 'high';

/**
 * Structured output: plain text (the default), any JSON object, or JSON that follows a JSON Schema.
 * Sent as the Responses body's `text.format`.
 */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      /** A name for the schema (letters, digits, `_` and `-`). */
      name: string;
      /** The JSON Schema the answer must follow. */
      schema: Record<string, unknown>;
      /** What the answer is, for the model. */
      description?: string;
      /** Enforce the schema exactly (the schema must then meet the strict-mode rules). */
      strict?: boolean;
    };

/** A backend-neutral completion request. */
export interface CompletionRequest {
  /** Model id, possibly an alias: `gpt-5.4:high`, `gpt-5.5-fast`, `gpt-5.4-fast:low`. */
  model: string;
  /** The conversation. */
  messages: ChatMessage[];
  /** Function tools the model may call. */
  tools?: ToolDefinition[];
  /** How the model picks tools (default `auto`). */
  toolChoice?: 'auto' | 'none' | 'required' | { name: string };
  /** Whether the model may call several tools in one turn (default true), sent as `parallel_tool_calls`. */
  parallelToolCalls?: boolean;
  /** Overrides the effort from the model alias and the environment default. */
  reasoningEffort?: ReasoningEffort;
  /** Output token limit; sent only to the OpenAI API backend (the ChatGPT backend rejects it). */
  maxOutputTokens?: number;
  /** Sampling temperature; sent only to the OpenAI API backend for models without reasoning. */
  temperature?: number;
  /** Structured output (JSON mode or a JSON Schema); both backends, as `text.format`. */
  responseFormat?: ResponseFormat;
  /**
   * The service tier (`service_tier`): `priority` (as the `-fast` alias) or `flex`, on models whose
   * catalogue entry lists it (the backends refuse it elsewhere). Wins over a `-fast` alias.
   */
  serviceTier?: ServiceTier;
  /** The reasoning summary (`reasoning.summary`, reasoning models only); default `auto`. */
  reasoningSummary?: ReasoningSummary;
  /**
   * Answer length (`text.verbosity`), both backends. The backends refuse it for models without
   * verbosity support (provider-codex drops it there, with a warning); default: the model's own.
   */
  verbosity?: TextVerbosity;
  /**
   * Let the OpenAI API store the response (`store: true`), so a later request may name it in
   * `previous_response_id` over any connection. Only the `openai` backend (API key) honours it; the
   * ChatGPT backend requires `store: false`. Default false.
   */
  store?: boolean;
}

/** Which Responses backend a request goes to. */
export type Backend = 'chatgpt' | 'openai';

/** A whole response collected from a chunk stream. */
export interface Completion {
  /** All answer text. */
  text: string;
  /** All reasoning text. */
  thinking: string;
  /** Tool calls in the order they started. */
  toolCalls: ToolCall[];
  /** Token usage, when reported. */
  usage?: Usage;
  /** Why the response ended. */
  finishReason: FinishReason;
  /** The upstream response id, when the server sent one (see `DoneChunk.responseId`). */
  responseId?: string;
  /** The response's output items (see `DoneChunk.outputItems`): pass them back as the assistant message's `outputItems`. */
  outputItems?: ResponseItem[];
}

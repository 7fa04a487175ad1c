import type { FinishReason, StreamChunk } from '@codetether/responses-protocol';
import { type OpenAiChatUsage, toOpenAiChatUsage } from './openai-usage.js';

/** OpenAI's chat `finish_reason` values. */
export type OpenAiFinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter';

/** Converts the provider's finish reason to OpenAI's spelling. */
export function toOpenAiFinishReason(reason: FinishReason): OpenAiFinishReason {
  switch (reason) {
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return reason;
  }
}

/** One tool-call delta in a chunk: of a function call, or of a custom (freeform) tool's call. */
export type ChatCompletionToolCallDelta =
  | {
      /** Position of the call in the message's `tool_calls`. */
      index: number;
      /** The call id, in the first delta of a call only. */
      id?: string;
      /** `function`, in the first delta of a call only. */
      type?: 'function';
      /** Name (first delta only) and the next piece of the arguments. */
      function: { name?: string; arguments: string };
    }
  | {
      /** Position of the call in the message's `tool_calls`. */
      index: number;
      /** The call id, in the first delta of a call only. */
      id?: string;
      /** `custom`, in the first delta of a call only. */
      type?: 'custom';
      /** Name (first delta only) and the next piece of the input text. */
      custom: { name?: string; input: string };
    };

/** The `delta` of a streamed chat choice. */
export interface ChatCompletionDelta {
  /** `assistant`, in the first chunk only. */
  role?: 'assistant';
  /** The next piece of the answer text. */
  content?: string | null;
  /** The next piece of the reasoning text (only when reasoning is requested). */
  reasoning_content?: string;
  /** Tool-call pieces. */
  tool_calls?: ChatCompletionToolCallDelta[];
}

/** One `chat.completion.chunk` object, exactly as OpenAI streams it. */
export interface ChatCompletionChunk {
  /** Same id in every chunk of one completion. */
  id: string;
  /** Always `chat.completion.chunk`. */
  object: 'chat.completion.chunk';
  /** Creation time, epoch seconds. */
  created: number;
  /** The model the client asked for. */
  model: string;
  /** Zero or one choice (zero in the usage chunk). */
  choices: {
    index: 0;
    delta: ChatCompletionDelta;
    logprobs: null;
    finish_reason: OpenAiFinishReason | null;
  }[];
  /** Usage: null in every chunk but the last when `include_usage` is set; absent otherwise. */
  usage?: OpenAiChatUsage | null;
}

/** Options of {@link createChatCompletionChunkTranslator}. */
export interface ChatCompletionChunkTranslatorOptions {
  /** Completion id (`chatcmpl-…`). */
  id: string;
  /** Creation time, epoch seconds. */
  created: number;
  /** The model name echoed to the client. */
  model: string;
  /** Emit `reasoning_content` deltas for thinking chunks. */
  includeReasoning: boolean;
  /** Add `usage: null` to every chunk and a final usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** The names of the request's custom (freeform) tools: their calls are `type: "custom"` with an `input`. */
  customToolNames?: ReadonlySet<string>;
}

/** Turns provider {@link StreamChunk}s into OpenAI `chat.completion.chunk` objects. */
export interface ChatCompletionChunkTranslator {
  /** The chunks to send for one provider chunk (none for tool-call ends, errors, or hidden reasoning). */
  translate(chunk: StreamChunk): ChatCompletionChunk[];
}

/**
 * Creates the stateful translator from provider chunks to OpenAI stream chunks: the role comes first
 * (with the first visible delta's kind deciding `content: ''` or `null`), tool calls are numbered in
 * start order, `done` becomes a `finish_reason` chunk plus, when asked, a usage chunk with empty
 * `choices`.
 *
 * @param options - ids, model and what to include
 */
export function createChatCompletionChunkTranslator(
  options: ChatCompletionChunkTranslatorOptions,
): ChatCompletionChunkTranslator {
  const toolIndexes = new Map<string, number>();
  /** The ids of the calls of custom tools. */
  const customCalls = new Set<string>();
  let roleSent = false;

  const chunkWith = (
    delta: ChatCompletionDelta,
    finishReason: OpenAiFinishReason | null = null,
  ): ChatCompletionChunk => {
    const chunk: ChatCompletionChunk = {
      id: options.id,
      object: 'chat.completion.chunk',
      created: options.created,
      model: options.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    if (options.includeUsage) chunk.usage = null;
    return chunk;
  };

  const withRole = (output: ChatCompletionChunk[], firstIsText: boolean): ChatCompletionChunk[] => {
    if (roleSent) return output;
    roleSent = true;
    return [chunkWith({ role: 'assistant', content: firstIsText ? '' : null }), ...output];
  };

  return {
    translate(chunk) {
      switch (chunk.type) {
        case 'text':
          if (chunk.text === '') return [];
          return withRole([chunkWith({ content: chunk.text })], true);
        case 'thinking':
          if (!options.includeReasoning || chunk.text === '') return [];
          return withRole([chunkWith({ reasoning_content: chunk.text })], false);
        case 'tool-call-start': {
          const index = toolIndexes.size;
          toolIndexes.set(chunk.id, index);
          const custom = options.customToolNames?.has(chunk.name) === true;
          if (custom) customCalls.add(chunk.id);
          const start: ChatCompletionToolCallDelta = custom
            ? { index, id: chunk.id, type: 'custom', custom: { name: chunk.name, input: '' } }
            : { index, id: chunk.id, type: 'function', function: { name: chunk.name, arguments: '' } };
          return withRole([chunkWith({ tool_calls: [start] })], false);
        }
        case 'tool-call-delta': {
          const index = toolIndexes.get(chunk.id);
          if (index === undefined || chunk.argumentsDelta === '') return [];
          const piece: ChatCompletionToolCallDelta = customCalls.has(chunk.id)
            ? { index, custom: { input: chunk.argumentsDelta } }
            : { index, function: { arguments: chunk.argumentsDelta } };
          return [chunkWith({ tool_calls: [piece] })];
        }
        case 'tool-call-end':
        case 'error':
          return [];
        case 'done': {
          const output = withRole([chunkWith({}, toOpenAiFinishReason(chunk.finishReason))], false);
          if (options.includeUsage) {
            output.push({
              id: options.id,
              object: 'chat.completion.chunk',
              created: options.created,
              model: options.model,
              choices: [],
              usage: toOpenAiChatUsage(chunk.usage),
            });
          }
          return output;
        }
      }
    },
  };
}

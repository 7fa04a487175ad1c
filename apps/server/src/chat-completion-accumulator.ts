import type { StreamChunk, Usage } from '@codetether/responses-protocol';
import { type OpenAiFinishReason, toOpenAiFinishReason } from './chat-completion-chunks.js';
import { type OpenAiChatUsage, toOpenAiChatUsage } from './openai-usage.js';

/** A tool call in a non-streamed assistant message: of a function, or of a custom (freeform) tool. */
export type ChatCompletionToolCall =
  | {
      /** The call id to answer with a `tool` message. */
      id: string;
      /** `function`. */
      type: 'function';
      /** Function name and JSON arguments. */
      function: { name: string; arguments: string };
    }
  | {
      /** The call id to answer with a `tool` message. */
      id: string;
      /** `custom`. */
      type: 'custom';
      /** Tool name and the input text. */
      custom: { name: string; input: string };
    };

/** A non-streamed `chat.completion` object, as OpenAI returns it. */
export interface ChatCompletion {
  /** Completion id (`chatcmpl-…`). */
  id: string;
  /** Always `chat.completion`. */
  object: 'chat.completion';
  /** Creation time, epoch seconds. */
  created: number;
  /** The model the client asked for. */
  model: string;
  /** The single choice. */
  choices: {
    index: 0;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: null;
      reasoning_content?: string;
      tool_calls?: ChatCompletionToolCall[];
    };
    logprobs: null;
    finish_reason: OpenAiFinishReason;
  }[];
  /** Token usage (cached and reasoning tokens in the details). */
  usage: OpenAiChatUsage;
}

/** Options of {@link createChatCompletionAccumulator}. */
export interface ChatCompletionAccumulatorOptions {
  /** Completion id. */
  id: string;
  /** Creation time, epoch seconds. */
  created: number;
  /** The model name echoed to the client. */
  model: string;
  /** Put the reasoning text in `message.reasoning_content`. */
  includeReasoning: boolean;
  /** The names of the request's custom (freeform) tools: their calls are `type: "custom"` with an `input`. */
  customToolNames?: ReadonlySet<string>;
}

/** Collects provider chunks into one `chat.completion`. */
export interface ChatCompletionAccumulator {
  /** Adds one chunk (errors are handled by the caller). */
  add(chunk: StreamChunk): void;
  /** The completion (call after `done`). */
  result(): ChatCompletion;
}

/**
 * Creates an accumulator that turns the provider's chunk stream into a non-streamed OpenAI
 * `chat.completion`.
 *
 * @param options - id, creation time, model and whether to include reasoning
 */
export function createChatCompletionAccumulator(
  options: ChatCompletionAccumulatorOptions,
): ChatCompletionAccumulator {
  let text = '';
  let reasoning = '';
  const toolCalls = new Map<string, ChatCompletionToolCall>();
  let finishReason: OpenAiFinishReason = 'stop';
  let usage: Usage | undefined;
  return {
    add(chunk) {
      switch (chunk.type) {
        case 'text':
          text += chunk.text;
          break;
        case 'thinking':
          reasoning += chunk.text;
          break;
        case 'tool-call-start':
          toolCalls.set(
            chunk.id,
            options.customToolNames?.has(chunk.name) === true
              ? { id: chunk.id, type: 'custom', custom: { name: chunk.name, input: '' } }
              : { id: chunk.id, type: 'function', function: { name: chunk.name, arguments: '' } },
          );
          break;
        case 'tool-call-delta': {
          const call = toolCalls.get(chunk.id);
          if (call?.type === 'custom') call.custom.input += chunk.argumentsDelta;
          else if (call !== undefined) call.function.arguments += chunk.argumentsDelta;
          break;
        }
        case 'done':
          finishReason = toOpenAiFinishReason(chunk.finishReason);
          usage = chunk.usage;
          break;
        default:
          break;
      }
    },
    result() {
      const message: ChatCompletion['choices'][number]['message'] = {
        role: 'assistant',
        content: text === '' && toolCalls.size > 0 ? null : text,
        refusal: null,
      };
      if (options.includeReasoning && reasoning !== '') message.reasoning_content = reasoning;
      if (toolCalls.size > 0) message.tool_calls = [...toolCalls.values()];
      return {
        id: options.id,
        object: 'chat.completion',
        created: options.created,
        model: options.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        usage: toOpenAiChatUsage(usage),
      };
    },
  };
}

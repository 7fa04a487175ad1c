import type { StreamChunk } from '@codetether/responses-protocol';
import { type ChatCompletion, createChatCompletionAccumulator } from './chat-completion-accumulator.js';
import {
  type ChatCompletionChunkTranslatorOptions,
  createChatCompletionChunkTranslator,
} from './chat-completion-chunks.js';
import type { DialectAnswer } from './dialect-completion.js';
import { formatSseFrame } from './frame-stream.js';
import type { GatewayError } from './openai-error.js';

/** Options of {@link createChatCompletionAnswer}. */
export interface ChatCompletionAnswerOptions extends ChatCompletionChunkTranslatorOptions {
  /** Whether the client asked for a stream (only that form of the answer is built). */
  stream: boolean;
  /**
   * Given the whole `chat.completion` once the answer is done (streamed too: then it is also built),
   * e.g. to store it.
   */
  onComplete?: ((completion: ChatCompletion) => void) | undefined;
}

/**
 * Builds an OpenAI Chat Completions answer from the provider's chunks. Streamed: each provider chunk
 * as the SSE frames of its `chat.completion.chunk`s in one piece (the role chunk with the first delta;
 * the finish, usage and `data: [DONE]` together), errors as an OpenAI error body. Not streamed: one
 * `chat.completion` object. Only the form the request asked for is built, so `result()` of a streamed
 * answer is an empty completion.
 *
 * @param options - id, creation time, model, what to include, and whether the answer is streamed
 */
export function createChatCompletionAnswer(options: ChatCompletionAnswerOptions): DialectAnswer {
  const accumulator = createChatCompletionAccumulator(options);
  const translator = createChatCompletionChunkTranslator(options);
  return {
    add(chunk: StreamChunk): string {
      if (!options.stream || options.onComplete !== undefined) accumulator.add(chunk);
      if (chunk.type === 'done') options.onComplete?.(accumulator.result());
      if (!options.stream) return '';
      const text = translator
        .translate(chunk)
        .map((item) => formatSseFrame(item))
        .join('');
      return chunk.type === 'done' ? `${text}data: [DONE]\n\n` : text;
    },
    result() {
      return accumulator.result();
    },
    errorFrame(error: GatewayError): string {
      return formatSseFrame(error.toBody());
    },
  };
}

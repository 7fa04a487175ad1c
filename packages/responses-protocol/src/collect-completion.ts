import type { Completion, ToolCall } from './completion-request.js';
import { ResponsesStreamError } from './errors.js';
import type { StreamChunk } from './stream-chunk.js';

/**
 * Collects a chunk stream into one {@link Completion}: all text, all thinking, the tool calls in the
 * order they started (arguments concatenated), usage, finish reason, and the response id and output
 * items of the `done` chunk.
 *
 * Non-fatal error chunks (`malformed-json`, `invalid-event`) are skipped, as the stream goes on
 * after them.
 *
 * @throws ResponsesStreamError on a fatal `error` chunk (its `code` and `message`), or with code
 *   `stream-closed` when the stream ends without a `done` chunk.
 */
export async function collectCompletion(
  chunks: AsyncIterable<StreamChunk> | Iterable<StreamChunk>,
): Promise<Completion> {
  let text = '';
  let thinking = '';
  const calls = new Map<string, ToolCall>();
  for await (const chunk of chunks) {
    switch (chunk.type) {
      case 'text':
        text += chunk.text;
        break;
      case 'thinking':
        thinking += chunk.text;
        break;
      case 'tool-call-start':
        if (!calls.has(chunk.id)) calls.set(chunk.id, { id: chunk.id, name: chunk.name, arguments: '' });
        break;
      case 'tool-call-delta': {
        const call = calls.get(chunk.id);
        if (call === undefined)
          calls.set(chunk.id, { id: chunk.id, name: '', arguments: chunk.argumentsDelta });
        else call.arguments += chunk.argumentsDelta;
        break;
      }
      case 'tool-call-end':
        break;
      case 'error':
        if (chunk.code === 'malformed-json' || chunk.code === 'invalid-event') break;
        throw new ResponsesStreamError(chunk.code ?? 'stream-error', chunk.message);
      case 'done': {
        const completion: Completion = {
          text,
          thinking,
          toolCalls: [...calls.values()],
          finishReason: chunk.finishReason,
        };
        if (chunk.usage !== undefined) completion.usage = chunk.usage;
        if (chunk.responseId !== undefined) completion.responseId = chunk.responseId;
        if (chunk.outputItems !== undefined) completion.outputItems = chunk.outputItems;
        return completion;
      }
    }
  }
  throw new ResponsesStreamError(
    'stream-closed',
    'stream closed before completion: the chunk stream ended without a "done" chunk, so the answer may be cut off. Try again.',
  );
}

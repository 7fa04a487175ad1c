import type { StreamChunk, ToolCall } from '@codetether/responses-protocol';
import type { StreamedAnswer } from './conversation-history.js';

/**
 * Follows a turn's chunks and keeps what they add up to: the answer text and the tool calls (for a
 * response that lists no output items, whose answer must be rebuilt for the history).
 */
export class StreamedAnswerRecorder implements StreamedAnswer {
  /** The answer text so far. */
  text = '';
  private readonly calls = new Map<string, ToolCall>();

  /** The tool calls so far, in the order they started. */
  get toolCalls(): ToolCall[] {
    return [...this.calls.values()];
  }

  /** Takes one chunk into account. */
  see(chunk: StreamChunk): void {
    if (chunk.type === 'text') this.text += chunk.text;
    else if (chunk.type === 'tool-call-start') {
      if (!this.calls.has(chunk.id))
        this.calls.set(chunk.id, { id: chunk.id, name: chunk.name, arguments: '' });
    } else if (chunk.type === 'tool-call-delta') {
      const call = this.calls.get(chunk.id);
      if (call !== undefined) call.arguments += chunk.argumentsDelta;
    }
  }
}

import {
  createResponsesEventParser,
  type StreamChunk,
  type TransportResponse,
} from '@codetether/responses-protocol';
import type { CodexProviderError } from './errors.js';
import { guardIterator } from './event-iteration.js';
import { withoutSecretsInEvent } from './event-secret-redaction.js';
import { shouldFallBackBeforeOutput } from './transport-fallback-policy.js';
import type { Turn, TurnSender } from './turn-sender.js';

/**
 * Streams one turn as `StreamChunk`s: sends it, parses its events, and — when the WebSocket drops
 * before any output chunk reached the caller (only lifecycle events arrived) — replays it over HTTP.
 * A failure before the first event is thrown; one after it is yielded as a single `error` chunk (and
 * handed to `onError`, so `complete()` can rethrow it with its status and reset time); the server's
 * error text in events (and so in error chunks) is scrubbed of the credential that was sent. The transport
 * stream is released on abort, on an early stop by the consumer, and after the terminal event.
 *
 * @param sender - sends the turn (auth refresh and fallback included)
 * @param turn - the prepared request; its `mode` becomes `http` after a replay
 * @param onError - receives the provider error behind an `error` chunk
 * @param onResponse - receives each established response (the replay's too): its wire, headers and
 *   connection
 * @param onEvent - receives each raw upstream event before it is parsed
 */
export async function* streamTurnChunks(
  sender: TurnSender,
  turn: Turn,
  onError: (error: CodexProviderError) => void,
  onResponse?: (response: TransportResponse) => void,
  onEvent?: (event: unknown) => void,
): AsyncGenerator<StreamChunk, void, undefined> {
  const { signal } = turn;
  for (;;) {
    const response = await sender.send(turn);
    onResponse?.(response);
    const parser = createResponsesEventParser();
    const iterator = guardIterator(response.events[Symbol.asyncIterator](), signal);
    let yieldedOutput = false;
    let exhausted = false;
    let replayOverHttp = false;
    let sawTerminal = false;
    try {
      while (!sawTerminal) {
        let next: IteratorResult<unknown>;
        try {
          next = await iterator.next();
        } catch (error) {
          exhausted = true;
          const canReplay =
            !yieldedOutput &&
            turn.mode === 'auto' &&
            response.transport === 'websocket' &&
            signal?.aborted !== true &&
            shouldFallBackBeforeOutput(error);
          if (canReplay) {
            sender.rememberFallback(turn, error);
            turn.mode = 'http';
            replayOverHttp = true;
            break;
          }
          const mapped = sender.toProviderError(error, turn, { midStream: true });
          onError(mapped);
          yield { type: 'error', message: mapped.message, code: mapped.code };
          return;
        }
        if (next.done) {
          exhausted = true;
          break;
        }
        const event = withoutSecretsInEvent(
          next.value,
          turn.sentSecret === undefined ? [] : [turn.sentSecret],
        );
        onEvent?.(event);
        for (const chunk of parser.feed(event)) {
          if (chunk.type === 'done' || chunk.type === 'error') sawTerminal = true;
          yieldedOutput = true;
          yield chunk;
        }
      }
      if (replayOverHttp) continue;
      if (!sawTerminal) for (const chunk of parser.end()) yield chunk;
      return;
    } finally {
      if (!exhausted || signal?.aborted) iterator.close();
      else iterator.dispose();
    }
  }
}

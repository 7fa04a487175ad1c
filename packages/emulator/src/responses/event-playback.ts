import { setTimeout as delay } from 'node:timers/promises';
import type { PreparedStream } from './prepare-response.js';
import type { ResponsesEvent } from './response-events.js';

/** How a played stream ended. */
export type PlaybackEnd = 'completed' | 'cut' | 'aborted';

/**
 * Sends the planned events one by one, adding `sequence_number`, pausing `delayMs` between events,
 * waiting when the sink asks for back-pressure, and stopping at the planned cut or when `signal` aborts.
 * `flush` is called before every pause and at the end, so a sink may batch the events written
 * without a pause in between (one socket write instead of one per event).
 *
 * @param stream - the planned stream
 * @param send - writes one event; may return a promise to apply back-pressure
 * @param signal - aborted when the client went away or the emulator closes
 * @param flush - optional: pushes batched writes out
 */
export async function playEvents(
  stream: PreparedStream,
  send: (event: ResponsesEvent) => undefined | Promise<void>,
  signal: AbortSignal,
  flush: () => void = () => {},
): Promise<PlaybackEnd> {
  try {
    return await play(stream, send, signal, flush);
  } finally {
    flush();
  }
}

async function play(
  stream: PreparedStream,
  send: (event: ResponsesEvent) => undefined | Promise<void>,
  signal: AbortSignal,
  flush: () => void,
): Promise<PlaybackEnd> {
  const { outcome } = stream;
  let sequenceNumber = 0;
  for (const event of outcome.events) {
    if (signal.aborted) return 'aborted';
    if (outcome.cut !== undefined && sequenceNumber >= outcome.cut.afterEvents) return 'cut';
    if (outcome.delayMs > 0 && sequenceNumber > 0) {
      flush();
      try {
        await delay(outcome.delayMs, undefined, { signal });
      } catch {
        return 'aborted';
      }
    }
    const pending = send({ ...event, sequence_number: sequenceNumber });
    sequenceNumber += 1;
    if (pending !== undefined) {
      flush();
      await pending;
    }
  }
  if (signal.aborted) return 'aborted';
  if (outcome.cut !== undefined && sequenceNumber >= outcome.cut.afterEvents) return 'cut';
  return 'completed';
}

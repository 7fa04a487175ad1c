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
  const pause = outcome.delayMs > 0 ? createPause(signal) : undefined;
  try {
    return await sendAll(stream, send, signal, flush, pause);
  } finally {
    pause?.dispose();
  }
}

/** A reusable abortable pause: one abort listener per stream instead of one per event. */
interface Pause {
  wait(milliseconds: number): Promise<void>;
  dispose(): void;
}

function createPause(signal: AbortSignal): Pause {
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const onAbort = () => {
    if (timer !== undefined) clearTimeout(timer);
    wake?.();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    wait(milliseconds) {
      return new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, milliseconds);
      });
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

async function sendAll(
  stream: PreparedStream,
  send: (event: ResponsesEvent) => undefined | Promise<void>,
  signal: AbortSignal,
  flush: () => void,
  pause: Pause | undefined,
): Promise<PlaybackEnd> {
  const { outcome } = stream;
  let sequenceNumber = 0;
  for (const event of outcome.events) {
    if (signal.aborted) return 'aborted';
    if (outcome.cut !== undefined && sequenceNumber >= outcome.cut.afterEvents) return 'cut';
    if (pause !== undefined && sequenceNumber > 0) {
      flush();
      await pause.wait(outcome.delayMs);
      if (signal.aborted) return 'aborted';
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

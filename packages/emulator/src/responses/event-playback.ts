import type { PreparedStream } from './prepare-response.js';
import type { ResponsesEvent } from './response-events.js';
import type { StreamPacing } from './scenario-plan.js';

/** How a played stream ended. */
export type PlaybackEnd = 'completed' | 'cut' | 'aborted';

/**
 * Sends the planned events one by one, adding `sequence_number`, pausing `delayMs` between events (the
 * delay of the options as they are at each pause, when they change meanwhile: see `StreamPacing`),
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
  const pause = outcome.delayMs > 0 ? createPause(signal, outcome.pacing) : undefined;
  try {
    return await sendAll(stream, send, signal, flush, pause);
  } finally {
    pause?.dispose();
  }
}

/** A reusable abortable pause: one abort listener per stream instead of one per event. */
interface Pause {
  /** Waits `milliseconds` — or, with pacing, the current delay, followed when it changes meanwhile. */
  wait(milliseconds: number): Promise<void>;
  dispose(): void;
}

function createPause(signal: AbortSignal, pacing: StreamPacing | undefined): Pause {
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  /** Re-arms the pause in progress for the new delay (counted from its start). */
  let rearm: (() => void) | undefined;
  const onAbort = () => {
    if (timer !== undefined) clearTimeout(timer);
    wake?.();
  };
  const onPacingChange = () => rearm?.();
  signal.addEventListener('abort', onAbort, { once: true });
  pacing?.changed.addEventListener('change', onPacingChange);
  return {
    wait(milliseconds) {
      return new Promise<void>((resolve) => {
        const started = performance.now();
        wake = resolve;
        const done = () => {
          rearm = undefined; // a change after the pause is for the next one
          resolve();
        };
        const arm = (delayMs: number) => {
          if (timer !== undefined) clearTimeout(timer);
          timer = setTimeout(done, Math.max(0, delayMs - (performance.now() - started)));
        };
        rearm = pacing === undefined ? undefined : () => arm(pacing.delayMs());
        arm(pacing === undefined ? milliseconds : pacing.delayMs());
      });
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      rearm = undefined;
      signal.removeEventListener('abort', onAbort);
      pacing?.changed.removeEventListener('change', onPacingChange);
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

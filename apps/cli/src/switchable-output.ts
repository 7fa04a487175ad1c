import { Writable } from 'node:stream';
import type { OutputStream } from './terminal.js';

/** An output stream that forwards to the terminal, or drops everything while muted. */
export interface SwitchableOutput {
  /** The stream to hand to node:readline as its output. */
  stream: NodeJS.WritableStream;
  /** Drops every write and every resize until {@link SwitchableOutput.unmute}. */
  mute(): void;
  /** Forwards writes and resizes again. */
  unmute(): void;
  /** Stops listening to the terminal's resizes. */
  dispose(): void;
}

/**
 * Wraps the terminal so node:readline can be kept from drawing while an answer streams: readline echoes
 * what is typed ahead and redraws its prompt on every resize, which would land in the middle of the
 * answer (a resize even erases the answer's last line). Muted, readline still reads the keys (Ctrl-C
 * still cancels) and keeps what was typed; it is drawn again with the next prompt.
 *
 * @param target - the terminal (standard output); its `columns`, `rows` and `resize` events are passed on
 */
export function createSwitchableOutput(target: OutputStream): SwitchableOutput {
  let muted = false;
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Uint8Array, _encoding, done) {
      if (!muted) target.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      done();
    },
  });
  Object.defineProperties(stream, {
    isTTY: { get: () => target.isTTY },
    columns: { get: () => target.columns },
    rows: { get: () => (target as { rows?: number }).rows },
  });
  const events = target as Partial<NodeJS.EventEmitter>;
  const onResize = (): void => {
    if (!muted) stream.emit('resize');
  };
  events.on?.('resize', onResize);
  return {
    stream,
    mute() {
      muted = true;
    },
    unmute() {
      muted = false;
    },
    dispose() {
      events.off?.('resize', onResize);
    },
  };
}

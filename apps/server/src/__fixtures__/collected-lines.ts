import { Writable } from 'node:stream';

/**
 * A writable stream that keeps everything written to it in `lines` (one entry per write): a log
 * destination tests read back.
 *
 * @param lines - where the writes go
 */
export function collectInto(lines: string[]): Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
}

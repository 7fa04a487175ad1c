/** Error codes of a write whose reader went away: a closed pipe (`| head`), a socket reset by its peer, a terminal closed under the process (EIO after SIGHUP). */
const READER_GONE_CODES: ReadonlySet<string> = new Set(['EPIPE', 'ECONNRESET', 'EIO']);

/**
 * Ends the process quietly (keeping any exit code already set, else 0) when the reader of one of
 * `streams` went away — `codetether models | head -3`, a socket reset by its peer — instead of crashing
 * with an unhandled 'error' event and a stack trace. Other write errors are still thrown.
 *
 * @param streams - the output streams (standard output and standard error)
 * @param exit - ends the process. Default `process.exit`.
 */
export function stopQuietlyWhenReaderLeaves(
  streams: readonly NodeJS.EventEmitter[],
  exit: (code: number | string | undefined) => void = (code) => process.exit(code),
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== undefined && READER_GONE_CODES.has(error.code)) {
        exit(process.exitCode ?? 0);
        return;
      }
      throw error;
    });
  }
}

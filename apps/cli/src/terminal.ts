import picocolors from 'picocolors';

/** The picocolors functions, enabled or not. */
export type Colors = ReturnType<typeof picocolors.createColors>;

/** A stream the CLI writes to. */
export interface OutputStream {
  /** Writes text. */
  write(text: string): unknown;
  /** True when the stream is a terminal. */
  isTTY?: boolean | undefined;
  /** Terminal width in columns, when a terminal. */
  columns?: number | undefined;
}

/** Where a command reads and writes, and how it may decorate its output. */
export interface Terminal {
  /** Standard output: results only (answers, tables, JSON). */
  stdout: OutputStream;
  /** Standard error: progress, hints, summaries, errors. */
  stderr: OutputStream;
  /** Colours for standard output (all no-ops when colour is off). */
  stdoutColors: Colors;
  /** Colours for standard error (all no-ops when colour is off). */
  stderrColors: Colors;
  /** True when standard error is a terminal that can show a spinner. */
  stderrIsInteractive: boolean;
  /** The environment. */
  env: Record<string, string | undefined>;
}

/**
 * Decides whether to colour a stream: `NO_COLOR` (any non-empty value) turns colour off,
 * `FORCE_COLOR` (non-empty, not `0`) turns it on, otherwise colour only goes to a terminal that is not `dumb`.
 *
 * @param stream - the output stream
 * @param env - the environment
 */
export function shouldUseColor(stream: OutputStream, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/**
 * Tells whether a stream can show live updates (spinners): a terminal, not `dumb`, not in CI.
 *
 * @param stream - the output stream
 * @param env - the environment
 */
export function isInteractiveStream(stream: OutputStream, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb' && env.CI === undefined;
}

/**
 * Creates the terminal description for the given streams and environment.
 *
 * @param streams - standard output and error
 * @param env - the environment
 */
export function createTerminal(
  streams: { stdout: OutputStream; stderr: OutputStream },
  env: Record<string, string | undefined>,
): Terminal {
  return {
    stdout: streams.stdout,
    stderr: streams.stderr,
    stdoutColors: picocolors.createColors(shouldUseColor(streams.stdout, env)),
    stderrColors: picocolors.createColors(shouldUseColor(streams.stderr, env)),
    stderrIsInteractive: isInteractiveStream(streams.stderr, env),
    env,
  };
}

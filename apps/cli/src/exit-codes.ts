/** The process exit codes of `codetether` (see ARCHITECTURE.md). */
export const EXIT_CODES = {
  /** The command did what was asked. */
  success: 0,
  /** The model, the server or the login failed. */
  failure: 1,
  /** The command line was wrong (unknown option, missing prompt, bad value). */
  usage: 2,
  /** No usable login: run `codetether auth login` or set `OPENAI_API_KEY`. */
  notLoggedIn: 3,
  /** The user pressed Ctrl-C (128 + SIGINT). */
  interrupted: 130,
  /** Stopped by SIGHUP: the terminal was closed (128 + SIGHUP). */
  hangUp: 129,
  /** Stopped by SIGTERM: `kill`, `timeout`, a process manager (128 + SIGTERM). */
  terminated: 143,
} as const;

/** One of the values of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

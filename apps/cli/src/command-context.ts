import type { ScheduleCallback } from './schedule.js';
import type { Terminal } from './terminal.js';

/** A readable standard input as the commands use it. */
export interface InputStream extends NodeJS.ReadableStream {
  /** True when standard input is a terminal. */
  isTTY?: boolean | undefined;
  /** The file descriptor (0 for the process's standard input), to tell a directory from a pipe. */
  fd?: number | undefined;
}

/** What every command gets: streams, environment, clock and the `--debug` flag. */
export interface CommandContext {
  /** Output streams and colours. */
  terminal: Terminal;
  /** Standard input (prompts, pasted login URLs). */
  stdin: InputStream;
  /** The environment (`CODETETHER_*`, `OPENAI_API_KEY`, `NO_COLOR`…). */
  env: Record<string, string | undefined>;
  /** The clock, epoch ms. */
  now: () => number;
  /** Timers (a notice while waiting on a silent standard input); default a real timer (`scheduleWithTimer`). */
  schedule?: ScheduleCallback | undefined;
  /** Show stack traces. */
  debug: boolean;
}

import { fstat } from 'node:fs';
import { promisify } from 'node:util';
import { CliError } from './cli-error.js';
import type { InputStream } from './command-context.js';
import { decodeInputText } from './input-text.js';
import { type ScheduleCallback, scheduleWithTimer } from './schedule.js';
import type { OutputStream } from './terminal.js';

const READABLE_INPUT_HINT =
  'Pass the text as an argument, or redirect a readable file or pipe into standard input (< notes.txt, or some-command | codetether …).';

/**
 * The error for standard input that failed while being read (a reset socket, a terminal gone after an
 * SSH disconnect: `ECONNRESET`, `EIO`), instead of a bare system error or an unhandled 'error' event.
 *
 * @param cause - the stream's error
 */
function standardInputError(cause: unknown): CliError {
  const code = (cause as { code?: unknown } | null)?.code;
  // `codetether chat 0>file`: a descriptor opened for writing only, a mistake on the command line.
  if (code === 'EBADF') {
    return new CliError('usage', 'Standard input is not open for reading (EBADF); nothing was sent.', {
      hint: READABLE_INPUT_HINT,
      cause,
    });
  }
  const detail = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  return new CliError('failed', `Could not read standard input (${detail}).`, {
    hint: 'Run the command again from a working terminal, or pipe the input in from a file or another command.',
    cause,
  });
}

/** The most standard input `readAll` reads by default: 16 MiB, far more than any model's context window. */
export const MAX_STANDARD_INPUT_BYTES = 16 * 1024 * 1024;

/** `1 MiB`, `16 MiB`, or a byte count when the limit is not whole mebibytes. */
function formatLimit(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes} MiB` : `${bytes} bytes`;
}

function inputTooLargeError(maxBytes: number): CliError {
  return new CliError(
    'usage',
    `Standard input is larger than ${formatLimit(maxBytes)}, the most the CLI reads; nothing was sent.`,
    {
      hint: 'Send a smaller part (head -c 100000 big.log | codetether chat, git diff -- one/path), or split it and ask about each piece.',
    },
  );
}

/** How long {@link readAll} waits for a first byte before calling `onWaiting`: 1 s. */
export const WAITING_NOTICE_DELAY_MS = 1000;

/** Options of {@link readAll}. */
export interface ReadAllOptions {
  /** The most bytes read; more is a usage error. Default {@link MAX_STANDARD_INPUT_BYTES}. */
  maxBytes?: number;
  /**
   * Called once when no byte has come {@link WAITING_NOTICE_DELAY_MS} after reading started (an open
   * pipe that sends nothing): the place to tell the user what the command is waiting for.
   */
  onWaiting?: (() => void) | undefined;
  /** The timer behind `onWaiting`; default a real timer. */
  schedule?: ScheduleCallback | undefined;
}

/**
 * Refuses a standard input that is a directory (`codetether chat < /`): Node.js gives such an input
 * as an empty stream, which would read as "standard input was empty". Streams without a descriptor
 * (tests, wrappers) are not checked.
 */
async function refuseDirectoryInput(stdin: InputStream): Promise<void> {
  if (typeof stdin.fd !== 'number') return;
  let isDirectory: boolean;
  try {
    isDirectory = (await promisify(fstat)(stdin.fd)).isDirectory();
  } catch (error) {
    throw standardInputError(error);
  }
  if (!isDirectory) return;
  throw new CliError('usage', 'Standard input is a directory (EISDIR), not text; nothing was sent.', {
    hint: READABLE_INPUT_HINT,
  });
}

/**
 * Reads standard input to the end as text (see {@link decodeInputText}: UTF-8, or UTF-16 with a byte
 * order mark; not text is a usage error). Reading stops as soon as the input passes `maxBytes` (an
 * endless `yes |` or `< /dev/zero` ends at once with a usage error instead of filling the memory). A
 * directory is a usage error; a stream error becomes {@link standardInputError}. `onWaiting` runs once
 * when the input stays silent for {@link WAITING_NOTICE_DELAY_MS}.
 *
 * @param stdin - the stream
 * @param options - the size limit and the waiting notice
 */
export async function readAll(stdin: InputStream, options: ReadAllOptions = {}): Promise<string> {
  const maxBytes = options.maxBytes ?? MAX_STANDARD_INPUT_BYTES;
  await refuseDirectoryInput(stdin);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const { onWaiting } = options;
  let waiting = onWaiting !== undefined;
  const cancelWaiting =
    onWaiting === undefined
      ? () => {}
      : (options.schedule ?? scheduleWithTimer)(() => {
          if (waiting) onWaiting();
          waiting = false;
        }, WAITING_NOTICE_DELAY_MS);
  const stopWaiting = (): void => {
    waiting = false;
    cancelWaiting();
  };
  try {
    for await (const chunk of stdin) {
      stopWaiting();
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array);
      size += bytes.byteLength;
      // Leaving the loop destroys the stream: the rest is never read.
      if (size > maxBytes) throw inputTooLargeError(maxBytes);
      chunks.push(bytes);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw standardInputError(error);
  } finally {
    stopWaiting();
  }
  return decodeInputText(Buffer.concat(chunks, size));
}

/**
 * Asks a question and reads one line (a pasted URL or code). Resolves `undefined` when the input ends
 * first, and rejects with {@link standardInputError} when it fails. The question goes to `output`
 * (standard error, so standard output stays clean).
 *
 * @param stdin - where to read
 * @param output - where to print the question
 * @param question - the prompt text
 * @param signal - cancels the question
 * @param options - `hideInput`: do not echo what is typed (secrets)
 */
export async function readLine(
  stdin: InputStream,
  output: OutputStream,
  question: string,
  signal?: AbortSignal,
  options: { hideInput?: boolean } = {},
): Promise<string | undefined> {
  // Loaded here: `codetether chat` imports this module for `readAll` and should not pay for readline.
  const [{ createInterface }, { Writable }] = await Promise.all([
    import('node:readline'),
    import('node:stream'),
  ]);
  return new Promise((resolve, reject) => {
    const hideInput = options.hideInput === true;
    // Hidden input: readline echoes into a stream that drops everything; the question is written here.
    const echo = hideInput ? new Writable({ write: (_chunk, _encoding, done) => done() }) : output;
    if (hideInput) output.write(question);
    const readline = createInterface({
      input: stdin,
      output: echo as NodeJS.WritableStream,
      terminal: stdin.isTTY === true,
    });
    let answered = false;
    const onAbort = (): void => {
      readline.close();
      reject(signal?.reason ?? new Error('Cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // Cancelled while readline was loading: no 'abort' event will come any more.
    if (signal?.aborted) {
      onAbort();
      return;
    }
    readline.once('line', (line) => {
      answered = true;
      // A terminal echoes the Enter key; piped (or hidden) input does not, so end the prompt line ourselves.
      if (stdin.isTTY !== true || hideInput) output.write('\n');
      signal?.removeEventListener('abort', onAbort);
      readline.close();
      resolve(line);
    });
    // On a terminal readline turns Ctrl-C into this event instead of a process signal.
    readline.once('SIGINT', () => {
      answered = true;
      signal?.removeEventListener('abort', onAbort);
      readline.close();
      reject(new CliError('interrupted', 'Cancelled.'));
    });
    // readline re-emits the input's errors on itself; unheard, one would end the process.
    readline.once('error', (error) => {
      answered = true;
      signal?.removeEventListener('abort', onAbort);
      readline.close();
      reject(standardInputError(error));
    });
    readline.once('close', () => {
      signal?.removeEventListener('abort', onAbort);
      if (answered) return;
      // The input ended without a line: end the question's line so what follows starts on its own.
      output.write('\n');
      resolve(undefined);
    });
    readline.setPrompt(hideInput ? '' : question);
    readline.prompt();
  });
}

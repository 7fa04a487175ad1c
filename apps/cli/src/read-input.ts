import { CliError } from './cli-error.js';
import type { InputStream } from './command-context.js';
import type { OutputStream } from './terminal.js';

/**
 * The error for standard input that failed while being read (a reset socket, a terminal gone after an
 * SSH disconnect: `ECONNRESET`, `EIO`), instead of a bare system error or an unhandled 'error' event.
 *
 * @param cause - the stream's error
 */
function standardInputError(cause: unknown): CliError {
  const code = (cause as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  return new CliError('failed', `Could not read standard input (${detail}).`, {
    hint: 'Run the command again from a working terminal, or pipe the input in from a file or another command.',
    cause,
  });
}

/**
 * Reads standard input to the end as UTF-8 text. A stream error becomes {@link standardInputError}.
 *
 * @param stdin - the stream
 */
export async function readAll(stdin: InputStream): Promise<string> {
  const parts: string[] = [];
  const decoder = new TextDecoder();
  try {
    for await (const chunk of stdin) {
      parts.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true }));
    }
  } catch (error) {
    throw standardInputError(error);
  }
  parts.push(decoder.decode());
  return parts.join('');
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

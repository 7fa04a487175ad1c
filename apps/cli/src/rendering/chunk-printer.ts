import type { FinishReason, StreamChunk, Usage } from '@codetether/responses-protocol';
import type { Terminal } from '../terminal.js';
import { toPlainTerminalText, toSafeJson, toTerminalText } from './terminal-text.js';

/** Options of {@link createChunkPrinter}. */
export interface ChunkPrinterOptions {
  /** Show reasoning text (dimmed, on standard error). */
  showThinking: boolean;
  /** Print each chunk as one JSON line on standard output instead. */
  json: boolean;
}

/** What a streamed answer came to. */
export interface PrintedAnswer {
  /** The answer text. */
  text: string;
  /** Token usage, when reported. */
  usage: Usage | undefined;
  /** Why the answer ended, when it ended normally. */
  finishReason: FinishReason | undefined;
  /** The error chunk, when the stream failed. */
  error: { message: string; code?: string | undefined } | undefined;
  /** Tool calls the model made (id, name, arguments). */
  toolCalls: { id: string; name: string; arguments: string }[];
}

/** Prints chunks as they arrive and remembers what the answer came to. */
export interface ChunkPrinter {
  /** Prints one chunk. */
  print(chunk: StreamChunk): void;
  /** Ends the output (final newline) and returns the answer. */
  finish(): PrintedAnswer;
}

/**
 * Creates a printer: answer text goes to standard output exactly as streamed (on a terminal without the
 * control sequences the model wrote, see {@link toTerminalText}); reasoning goes dimmed to
 * standard error without its `**` bold markers (so `> answer.txt` keeps only the answer); tool calls are noted on standard error (cleaned the same way). In
 * JSON mode every chunk is one JSON line on standard output and nothing else is printed there.
 *
 * @param terminal - where to print
 * @param options - thinking and JSON switches
 */
export function createChunkPrinter(terminal: Terminal, options: ChunkPrinterOptions): ChunkPrinter {
  const { stdout, stderr, stderrColors: colors } = terminal;
  const answer: PrintedAnswer = {
    text: '',
    usage: undefined,
    finishReason: undefined,
    error: undefined,
    toolCalls: [],
  };
  let stderrAtLineStart = true;
  let thinkingOpen = false;
  // Reasoning summaries are Markdown with `**Heading**` lines; the markers are dropped on screen. A
  // chunk ending in a lone `*` is held back until the next one shows whether it starts a marker.
  let heldAsterisk = '';
  const withoutBoldMarkers = (text: string): string => {
    let combined = `${heldAsterisk}${text}`;
    heldAsterisk = '';
    if (combined.endsWith('*') && !combined.endsWith('**')) {
      heldAsterisk = '*';
      combined = combined.slice(0, -1);
    }
    return combined.replaceAll('**', '');
  };
  const writeStderr = (text: string, raw: string): void => {
    if (raw === '') return;
    stderr.write(text);
    stderrAtLineStart = raw.endsWith('\n');
  };
  const closeThinking = (): void => {
    if (!thinkingOpen) return;
    thinkingOpen = false;
    if (heldAsterisk !== '') {
      writeStderr(colors.dim(colors.italic(heldAsterisk)), heldAsterisk);
      heldAsterisk = '';
    }
    writeStderr(stderrAtLineStart ? '\n' : '\n\n', '\n');
  };
  const record = (chunk: StreamChunk): void => {
    switch (chunk.type) {
      case 'text':
        answer.text += chunk.text;
        break;
      case 'tool-call-start':
        answer.toolCalls.push({ id: chunk.id, name: chunk.name, arguments: '' });
        break;
      case 'tool-call-delta': {
        const call = answer.toolCalls.find((candidate) => candidate.id === chunk.id);
        if (call !== undefined) call.arguments += chunk.argumentsDelta;
        break;
      }
      case 'done':
        answer.usage = chunk.usage;
        answer.finishReason = chunk.finishReason;
        break;
      case 'error':
        answer.error =
          chunk.code === undefined
            ? { message: chunk.message }
            : { message: chunk.message, code: chunk.code };
        break;
      default:
        break;
    }
  };
  return {
    print(chunk) {
      record(chunk);
      if (options.json) {
        stdout.write(`${toSafeJson(chunk)}\n`);
        return;
      }
      switch (chunk.type) {
        case 'thinking': {
          if (!options.showThinking) return;
          thinkingOpen = true;
          const shown = withoutBoldMarkers(toTerminalText(chunk.text));
          writeStderr(colors.dim(colors.italic(shown)), shown);
          return;
        }
        case 'text':
          closeThinking();
          stdout.write(stdout.isTTY === true ? toTerminalText(chunk.text) : chunk.text);
          return;
        case 'tool-call-start': {
          closeThinking();
          const name = toPlainTerminalText(chunk.name);
          writeStderr(colors.dim(`${stderrAtLineStart ? '' : '\n'}⚙ ${name}(`), `⚙ ${name}(`);
          return;
        }
        case 'tool-call-delta': {
          const shown = toTerminalText(chunk.argumentsDelta);
          writeStderr(colors.dim(shown), shown);
          return;
        }
        case 'tool-call-end':
          writeStderr(colors.dim(')\n'), ')\n');
          return;
        default:
          return;
      }
    },
    finish() {
      closeThinking();
      if (!options.json && answer.text !== '' && !answer.text.endsWith('\n')) stdout.write('\n');
      if (!options.json && answer.finishReason === 'length') {
        writeStderr(colors.yellow('The answer was cut off at the output token limit.\n'), '\n');
      }
      if (!options.json && answer.finishReason === 'content-filter') {
        writeStderr(colors.yellow('The answer was stopped by the content filter.\n'), '\n');
      }
      return answer;
    },
  };
}

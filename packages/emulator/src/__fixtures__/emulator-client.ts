import { WebSocket } from 'ws';
import type { Emulator } from '../types.js';

/** A parsed stream event (with `type`). */
export type StreamEvent = { type: string } & Record<string, unknown>;

/** A user message input item. */
export function userInput(text: string): Array<Record<string, unknown>> {
  return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }];
}

/** Headers of a valid ChatGPT backend request. */
export function chatgptHeaders(emulator: Emulator): Record<string, string> {
  const tokens = emulator.issueTokens();
  return {
    authorization: `Bearer ${tokens.accessToken}`,
    'chatgpt-account-id': tokens.accountId,
    'content-type': 'application/json',
    accept: 'text/event-stream',
  };
}

/** Headers of a valid OpenAI API request. */
export function apiKeyHeaders(emulator: Emulator): Record<string, string> {
  return { authorization: `Bearer ${emulator.createApiKey()}`, 'content-type': 'application/json' };
}

/** Parses an SSE body into its JSON events (ignores `[DONE]`). */
export function parseSse(text: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const block of text.split('\n\n')) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice(6))
      .join('\n');
    if (data === '' || data === '[DONE]') continue;
    events.push(JSON.parse(data) as StreamEvent);
  }
  return events;
}

/** POSTs a Responses body and returns status, headers and (for 200) the parsed events, or the JSON error. */
export async function postResponses(
  url: string,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<{ status: number; headers: Headers; events: StreamEvent[]; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 200) {
    return {
      status: response.status,
      headers: response.headers,
      events: [],
      json: JSON.parse(text) as unknown,
    };
  }
  return { status: 200, headers: response.headers, events: parseSse(text), json: undefined };
}

/** Resolves once `condition` holds, checked on every turn of the event loop. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/** The concatenated `output_text.delta` texts of a stream. */
export function outputText(events: StreamEvent[]): string {
  return events
    .filter((event) => event.type === 'response.output_text.delta')
    .map((event) => String(event.delta))
    .join('');
}

/** A connected WebSocket client that collects frames. */
export interface TestSocket {
  socket: WebSocket;
  /** Headers of the handshake response. */
  handshakeHeaders: Record<string, string | string[] | undefined>;
  /** Sends a `response.create` frame. */
  create(body: Record<string, unknown>): void;
  /** Resolves with the events up to and including the next terminal event (completed/failed/incomplete/error). */
  nextResponse(): Promise<StreamEvent[]>;
  /** Resolves with the close code once the socket closes. */
  closed: Promise<number>;
}

const TERMINAL = new Set(['response.completed', 'response.failed', 'response.incomplete', 'error']);

/** Opens a WebSocket to a Responses URL (`http…` is turned into `ws…`). */
export async function openSocket(url: string, headers: Record<string, string>): Promise<TestSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), { headers });
  const queue: StreamEvent[] = [];
  let wake: (() => void) | undefined;
  let closeCode: number | undefined;
  const closed = new Promise<number>((resolve) => {
    socket.once('close', (code) => {
      closeCode = code;
      resolve(code);
      wake?.();
    });
  });
  socket.on('error', () => {});
  socket.on('message', (data) => {
    queue.push(JSON.parse(String(data)) as StreamEvent);
    wake?.();
  });
  const handshakeHeaders = await new Promise<Record<string, string | string[] | undefined>>(
    (resolve, reject) => {
      socket.once('upgrade', (response) => resolve(response.headers));
      socket.once('unexpected-response', (_request, response) =>
        reject(
          Object.assign(new Error(`handshake refused: ${response.statusCode}`), {
            status: response.statusCode,
          }),
        ),
      );
      socket.once('error', reject);
    },
  );
  await new Promise<void>((resolve) => {
    if (socket.readyState === WebSocket.OPEN) resolve();
    else socket.once('open', () => resolve());
  });
  return {
    socket,
    handshakeHeaders,
    closed,
    create(body) {
      socket.send(JSON.stringify({ type: 'response.create', ...body }));
    },
    async nextResponse() {
      const events: StreamEvent[] = [];
      for (;;) {
        const event = queue.shift();
        if (event !== undefined) {
          events.push(event);
          if (TERMINAL.has(event.type)) return events;
          continue;
        }
        if (closeCode !== undefined) return events;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
}

/** Tries a WebSocket handshake and returns the refusal status and body (or 101). */
export async function tryHandshake(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), { headers });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

/** The `response` object of a lifecycle event (empty object when absent). */
export function responseOf(event: StreamEvent | undefined): Record<string, unknown> & { id: string } {
  return (event?.response ?? {}) as Record<string, unknown> & { id: string };
}

/** The output items of the terminal `response.completed` event of a stream (empty when absent). */
export function outputItems(events: StreamEvent[]): Array<Record<string, unknown>> {
  const output = responseOf(events.findLast((event) => event.type === 'response.completed')).output;
  return Array.isArray(output) ? (output as Array<Record<string, unknown>>) : [];
}

/** The `error` event of a stream, if any. */
export function errorEventOf(events: StreamEvent[]): StreamEvent | undefined {
  return events.find((event) => event.type === 'error');
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CodetetherProvider, createCodetether } from '../codetether-provider.js';

/** The API key the scripted upstream's providers send (a test asserts it never shows in an error). */
export const SCRIPTED_UPSTREAM_KEY = 'sk-scripted-upstream-secret-4242';

/** How a test answers one Responses request: writes SSE with `send`, ends or leaves the answer open. */
export type UpstreamScript = (answer: ScriptedAnswer) => void | Promise<void>;

/** One Responses request of the scripted upstream and its answer. */
export interface ScriptedAnswer {
  /** The parsed request body. */
  body: Record<string, unknown>;
  /** Writes one SSE event (`event: <type>` and `data: <JSON>`). */
  send(event: Record<string, unknown>): void;
  /** Writes raw bytes as they are. */
  write(text: string): void;
  /** Ends the answer. */
  end(): void;
  /** Answers with an HTTP error instead (before anything was sent): `status` and a JSON `body`. */
  reject(status: number, body: Record<string, unknown>): void;
  /** Resolves once the client closed the connection before the answer ended (or after). */
  clientLeft: Promise<void>;
}

/** A local HTTP server answering `POST /v1/responses` with an SSE stream the test scripts. */
export interface ScriptedUpstream {
  /** The OpenAI base URL to give the provider (`http://127.0.0.1:<port>/v1`). */
  baseUrl: string;
  /** The answers of the requests so far, oldest first. */
  answers: ScriptedAnswer[];
  /** A provider (API key, HTTP transport) pointed at this upstream. */
  provider(): CodetetherProvider;
  /** Stops the server, cutting every connection. */
  close(): Promise<void>;
}

/**
 * Starts a scripted upstream on 127.0.0.1: every Responses request is handed to `script`, which answers
 * `200 text/event-stream` (by sending) or an HTTP error (`reject`). Anything else is a 404.
 *
 * @param script - writes the answer of each request
 */
export async function startScriptedUpstream(script: UpstreamScript): Promise<ScriptedUpstream> {
  const answers: ScriptedAnswer[] = [];
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'POST' || request.url !== '/v1/responses') {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const clientLeft = new Promise<void>((resolve) => response.once('close', () => resolve()));
    const startStream = () => {
      if (!response.headersSent) response.writeHead(200, { 'content-type': 'text/event-stream' });
    };
    const answer: ScriptedAnswer = {
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      send: (event) => {
        startStream();
        response.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
      },
      write: (text) => {
        startStream();
        response.write(text);
      },
      end: () => {
        startStream();
        response.end();
      },
      reject: (status, body) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      },
      clientLeft,
    };
    answers.push(answer);
    await script(answer);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    baseUrl,
    answers,
    provider: () =>
      createCodetether({
        env: {},
        openaiBaseUrl: baseUrl,
        chatgptBaseUrl: baseUrl,
        transport: 'http',
        home: false,
        auth: { type: 'api-key', apiKey: SCRIPTED_UPSTREAM_KEY },
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `response.created` of response `id`. */
export function createdEvent(id = 'resp_scripted'): Record<string, unknown> {
  return { type: 'response.created', response: { id, status: 'in_progress', output: [] } };
}

/** The events of one text delta in a message item. */
export function textDeltaEvents(text: string): Record<string, unknown>[] {
  return [
    {
      type: 'response.output_item.added',
      output_index: 0,
      item: { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] },
    },
    { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: text },
  ];
}

/** `response.completed` of response `id` with `usage` (the Responses API's field names). */
export function completedEvent(
  usage: Record<string, unknown> = { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
  id = 'resp_scripted',
): Record<string, unknown> {
  return { type: 'response.completed', response: { id, status: 'completed', output: [], usage } };
}

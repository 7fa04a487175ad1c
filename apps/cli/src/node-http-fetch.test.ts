import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeHttpFetch } from './node-http-fetch.js';

let server: Server | undefined;

/** Starts a local server answering every request with `handler`; resolves with its base URL. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function readText(body: ReadableStream<Uint8Array> | null): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const bytes of body ?? []) text += decoder.decode(bytes, { stream: true });
  return text + decoder.decode();
}

describe('nodeHttpFetch', () => {
  it('sends the POST as given and answers with the status, the headers and the streamed body', async () => {
    let received: { method?: string | undefined; headers?: Record<string, unknown>; body?: string } = {};
    const base = await serve((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received = { method: request.method, headers: request.headers, body };
        response.writeHead(200, 'OK', { 'content-type': 'text/event-stream', 'x-request-id': 'req_1' });
        response.write('data: one\n\n');
        response.end('data: two\n\n');
      });
    });
    const response = await nodeHttpFetch(`${base}/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: '{"model":"gpt-5.4"}',
      signal: new AbortController().signal,
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    expect({ status: response.status, statusText: response.statusText }).toEqual({
      status: 200,
      statusText: 'OK',
    });
    expect(headers).toMatchObject({ 'content-type': 'text/event-stream', 'x-request-id': 'req_1' });
    expect(await readText(response.body)).toBe('data: one\n\ndata: two\n\n');
    expect(received).toMatchObject({
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-length': '19' },
      body: '{"model":"gpt-5.4"}',
    });
  });

  it('answers an error status like fetch does (no exception) and does not follow redirects', async () => {
    const base = await serve((request, response) => {
      request.resume();
      response.writeHead(request.url === '/moved' ? 307 : 429, { location: '/elsewhere' });
      response.end('{"error":{"message":"slow down"}}');
    });
    const init = { method: 'POST', headers: {}, body: '{}', signal: new AbortController().signal };
    const limited = await nodeHttpFetch(`${base}/v1/responses`, init);
    expect(limited.status).toBe(429);
    expect(await readText(limited.body)).toBe('{"error":{"message":"slow down"}}');
    expect((await nodeHttpFetch(`${base}/moved`, init)).status).toBe(307);
  });

  it('rejects with the connection error (its code) when nothing listens', async () => {
    const base = await serve(() => {});
    server?.close();
    await new Promise((resolve) => setImmediate(resolve));
    const init = { method: 'POST', headers: {}, body: '{}', signal: new AbortController().signal };
    await expect(nodeHttpFetch(`${base}/v1/responses`, init)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects when the signal aborts before the answer, and errors the body when it aborts later', async () => {
    const base = await serve((request, response) => {
      request.resume();
      if (request.url === '/streaming') response.writeHead(200).write('data: partial\n\n');
    });
    const early = new AbortController();
    const pending = nodeHttpFetch(`${base}/silent`, {
      method: 'POST',
      headers: {},
      body: '{}',
      signal: early.signal,
    });
    early.abort(new Error('stop'));
    await expect(pending).rejects.toThrow();

    const late = new AbortController();
    const response = await nodeHttpFetch(`${base}/streaming`, {
      method: 'POST',
      headers: {},
      body: '{}',
      signal: late.signal,
    });
    const reader = response.body?.getReader();
    expect(new TextDecoder().decode((await reader?.read())?.value)).toBe('data: partial\n\n');
    late.abort(new Error('stop'));
    await expect(reader?.read()).rejects.toThrow();
  });
});

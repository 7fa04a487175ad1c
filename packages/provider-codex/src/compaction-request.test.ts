import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requestCompaction } from './compaction-request.js';
import { mapTransportError } from './transport-error-mapping.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A server on 127.0.0.1 answering every request with `handler`; it records what it received. */
async function localServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    request.resume();
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/responses/compact`, requests };
}

const compacted = { output: [{ type: 'compaction', encrypted_content: 'opaque' }] };

function compactAt(url: string, options: { instructions?: string } = { instructions: 'be brief' }) {
  return requestCompaction({
    url,
    headers: { authorization: 'Bearer sk-compaction-secret', 'content-type': 'application/json' },
    model: 'gpt-5.4',
    instructions: options.instructions,
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
    fetch,
    now: Date.now(),
  });
}

describe('requestCompaction', () => {
  it('returns the compacted items', async () => {
    const server = await localServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(compacted));
    });
    expect(await compactAt(server.url)).toEqual({ output: compacted.output });
  });

  it("returns the answer's id, creation time and usage with the items; fields of another type are left out", async () => {
    const usage = { input_tokens: 12, output_tokens: 3, total_tokens: 15 };
    let answer: Record<string, unknown> = { ...compacted, id: 'resp_cmp1', created_at: 1_700_000_000, usage };
    const server = await localServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
    expect(await compactAt(server.url)).toEqual({
      output: compacted.output,
      id: 'resp_cmp1',
      createdAt: 1_700_000_000,
      usage,
    });
    answer = { ...compacted, id: 7, created_at: 'yesterday', usage: [1] };
    expect(await compactAt(server.url)).toEqual({ output: compacted.output });
  });

  it('sends the instructions when it has them, and leaves the field out when not', async () => {
    const bodies: unknown[] = [];
    const server = await localServer((request, response) => {
      let text = '';
      request.on('data', (data: Buffer) => {
        text += String(data);
      });
      request.on('end', () => {
        bodies.push(JSON.parse(text));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(compacted));
      });
    });
    await compactAt(server.url);
    await compactAt(server.url, {});
    expect(bodies[0]).toMatchObject({ model: 'gpt-5.4', instructions: 'be brief' });
    expect(bodies[1]).not.toHaveProperty('instructions');
    expect(bodies[1]).toMatchObject({ model: 'gpt-5.4' });
  });

  it.each([301, 302, 303, 307, 308])(
    'never follows a %i redirect with the credentials, and fails with its status',
    async (status) => {
      const elsewhere = await localServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(compacted));
      });
      const server = await localServer((_request, response) => {
        response.writeHead(status, { location: `${elsewhere.url}?token=sk-in-query` });
        response.end();
      });
      const failure = await compactAt(server.url).catch((error: unknown) => error);
      expect(elsewhere.requests).toHaveLength(0);
      expect(failure).toMatchObject({ code: 'http-status', status, isRetryable: false });
      const mapped = mapTransportError(failure, { backend: 'chatgpt', model: 'gpt-5.4', now: Date.now() });
      expect(mapped).toMatchObject({ code: 'upstream-error', status, isRetryable: false });
      expect(mapped.message).toContain('redirect');
      expect(mapped.message).toContain(elsewhere.url);
      expect(mapped.message).not.toContain('sk-in-query');
    },
  );
});

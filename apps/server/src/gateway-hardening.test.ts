import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeProvider } from './__fixtures__/fake-provider.js';
import { createGatewayLogger } from './gateway-logger.js';
import {
  type RunningGateway,
  type StartGatewayServerOptions,
  startGatewayServer,
} from './start-gateway-server.js';

const KEY = 'ctsk-hardening';
let running: RunningGateway[] = [];
let sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets = [];
  await Promise.all(running.map((gateway) => gateway.close({ graceMs: 0 })));
  running = [];
});

async function start(options: Partial<StartGatewayServerOptions> = {}): Promise<RunningGateway> {
  const gateway = await startGatewayServer({
    provider: createFakeProvider(),
    apiKey: KEY,
    port: 0,
    logger: createGatewayLogger({ level: 'silent' }),
    ...options,
  });
  running.push(gateway);
  return gateway;
}

/** A GET with chosen headers (Host included), over Node's http client; resolves status, headers and body. */
function get(
  gateway: RunningGateway,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port: gateway.port, path, method, headers, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** A raw socket to the gateway, collecting what it receives, resolving `closed` with it when the gateway closes it. */
function rawSocket(gateway: RunningGateway): {
  socket: Socket;
  closed: Promise<{ text: string; afterMs: number }>;
} {
  const socket = connect(gateway.port, '127.0.0.1');
  sockets.push(socket);
  const opened = performance.now();
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  socket.on('error', () => {});
  const closed = new Promise<{ text: string; afterMs: number }>((resolve) => {
    socket.on('close', () => resolve({ text, afterMs: performance.now() - opened }));
  });
  return { socket, closed };
}

/** Writes `text` one byte at a time, `intervalMs` apart, until the socket closes. */
function trickle(socket: Socket, text: string, intervalMs: number): void {
  let index = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || index >= text.length) {
      clearInterval(timer);
      return;
    }
    socket.write(text[index] ?? '');
    index += 1;
  }, intervalMs);
}

describe('Host and Origin checks (DNS rebinding)', () => {
  it('bound to loopback, answers only loopback Host names', async () => {
    const gateway = await start();
    for (const host of [`127.0.0.1:${gateway.port}`, `localhost:${gateway.port}`, 'localhost', '[::1]:1']) {
      expect((await get(gateway, '/healthz', { host })).status, host).toBe(200);
    }
    for (const path of ['/metrics', '/healthz', '/openapi.json', '/v1/models']) {
      const refused = await get(gateway, path, { host: `rebind.attacker.example:${gateway.port}` });
      expect(refused.status, path).toBe(403);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'host_not_allowed' } });
    }
  });

  it('answers the names of --allowed-hosts, or any name with *', async () => {
    const named = await start({ allowedHosts: ['gateway.lan'] });
    expect((await get(named, '/healthz', { host: 'gateway.lan:80' })).status).toBe(200);
    expect((await get(named, '/healthz', { host: 'other.lan' })).status).toBe(403);
    const any = await start({ allowedHosts: ['*'] });
    expect((await get(any, '/healthz', { host: 'other.lan' })).status).toBe(200);
  });

  it('refuses browser origins, and sends no CORS headers unless origins are allowed', async () => {
    const gateway = await start();
    const plain = await get(gateway, '/healthz', { host: 'localhost' });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    const fromPage = await get(gateway, '/metrics', { host: 'localhost', origin: 'http://evil.example' });
    expect(fromPage.status).toBe(403);
    expect(JSON.parse(fromPage.body)).toMatchObject({ error: { code: 'origin_not_allowed' } });

    const withCors = await start({ allowedOrigins: ['http://localhost:3000'] });
    const preflight = await get(
      withCors,
      '/v1/chat/completions',
      {
        host: 'localhost',
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
      'OPTIONS',
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const models = await get(withCors, '/v1/models', {
      host: 'localhost',
      origin: 'http://localhost:3000',
      authorization: `Bearer ${KEY}`,
    });
    expect(models.status).toBe(200);
    expect(models.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(
      (await get(withCors, '/healthz', { host: 'localhost', origin: 'http://evil.example' })).status,
    ).toBe(403);
  });
});

describe('timeouts and the connection cap', () => {
  it('closes a connection that sends nothing, and answers 408 to slow headers and a slow body', async () => {
    const gateway = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    const idle = rawSocket(gateway);
    const slowHeaders = rawSocket(gateway);
    trickle(
      slowHeaders.socket,
      'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa',
      100,
    );
    const slowBody = rawSocket(gateway);
    slowBody.socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
    );
    trickle(
      slowBody.socket,
      '{"model":"gpt-5.4","messages":[{"role":"user","content":"hello there, slowly"}]}  ',
      100,
    );
    const [idleClosed, headersClosed, bodyClosed] = await Promise.all([
      idle.closed,
      slowHeaders.closed,
      slowBody.closed,
    ]);
    for (const closed of [idleClosed, headersClosed, bodyClosed]) expect(closed.afterMs).toBeLessThan(4_000);
    expect(headersClosed.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(headersClosed.text).toContain('"code":"request_timeout"');
    expect(bodyClosed.text).toMatch(/^HTTP\/1\.1 408 /);
  }, 15_000);

  it('does not cut a streaming answer that lasts longer than the request timeout', async () => {
    const provider = createFakeProvider([
      {
        kind: 'chunks',
        chunks: [
          { type: 'text', text: 'Hello' },
          { type: 'text', text: ' world' },
          { type: 'done', finishReason: 'stop' },
        ],
        holdAfter: 1,
      },
    ]);
    const gateway = await start({ provider, headersTimeoutMs: 300, requestTimeoutMs: 500 });
    const answer = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    }).then((response) => response.text());
    await provider.held();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    provider.release();
    const text = await answer;
    expect(text).toContain('Hello');
    expect(text).toContain(' world');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  }, 15_000);

  it('answers 503 to connections beyond the cap, and serves again once they close', async () => {
    const gateway = await start({ maxConnections: 3 });
    const held = [rawSocket(gateway), rawSocket(gateway), rawSocket(gateway)];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const beyond = rawSocket(gateway);
    const refused = await beyond.closed;
    expect(refused.text).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused.text).toContain('"code":"too_many_connections"');
    for (const connection of held) connection.socket.destroy();
    await Promise.all(held.map((connection) => connection.closed));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await get(gateway, '/healthz', { host: 'localhost' })).status).toBe(200);
  }, 15_000);
});

describe('requests with a target that is not a URL', () => {
  it.each(['http://[::1/healthz', 'http://a:b:c/healthz', '//[x/healthz'])(
    'answers GET %s with a 4xx and goes on serving',
    async (target) => {
      const gateway = await start();
      const { socket, closed } = rawSocket(gateway);
      socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      const answer = await closed;
      expect(answer.text).toMatch(/^HTTP\/1\.1 40[04] /);
      expect((await get(gateway, '/healthz', { host: 'localhost' })).status).toBe(200);
    },
    15_000,
  );

  it.each(['http://[::1/v1/responses', 'http://a:b:c/v1/responses', '//[x/v1/responses'])(
    'answers a WebSocket upgrade to %s with 400 and goes on serving',
    async (target) => {
      const gateway = await start();
      const { socket, closed } = rawSocket(gateway);
      socket.write(
        `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
          `Authorization: Bearer ${KEY}\r\n\r\n`,
      );
      const answer = await closed;
      expect(answer.text).toMatch(/^HTTP\/1\.1 400 /);
      expect((await get(gateway, '/healthz', { host: 'localhost' })).status).toBe(200);
    },
    15_000,
  );
});

describe('WebSocket upgrades whose client goes away at once', () => {
  it('survives clients that reset the connection right after the upgrade request, with a good key or a wrong one', async () => {
    const gateway = await start();
    // An 'error' event nobody listens to ends the process; here it would be an unhandled error of the run.
    const unhandled: unknown[] = [];
    const onUnhandled = (error: unknown): void => {
      unhandled.push(error);
    };
    process.on('uncaughtException', onUnhandled);
    try {
      for (let round = 0; round < 200; round += 1) {
        const socket = connect(gateway.port, '127.0.0.1');
        sockets.push(socket);
        socket.on('error', () => {});
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write(
          `GET /v1/responses HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
            `Authorization: Bearer ${round % 2 === 0 ? KEY : 'wrong-key'}\r\n\r\n`,
        );
        await new Promise((resolve) => setImmediate(resolve));
        socket.resetAndDestroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.off('uncaughtException', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect((await get(gateway, '/healthz', { host: 'localhost' })).status).toBe(200);
  }, 30_000);
});

describe('requests that offer another protocol upgrade (curl --http2 on http://)', () => {
  it('serves them over HTTP/1.1, as if the Upgrade header were not there', async () => {
    const gateway = await start();
    const answer = await get(gateway, '/v1/models', {
      host: 'localhost',
      authorization: `Bearer ${KEY}`,
      connection: 'Upgrade, HTTP2-Settings',
      upgrade: 'h2c',
      'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA',
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ object: 'list' });
  });
});

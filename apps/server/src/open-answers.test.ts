import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signalled } from './__fixtures__/streamed-response-provider.js';
import { trackOpenAnswers } from './open-answers.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server whose answers wait until the test ends them; resolves to it, its URL and the held answers. */
async function heldServer() {
  const held: ServerResponse[] = [];
  const arrived = signalled();
  const server = createServer((_request, response) => {
    held.push(response);
    arrived.resolve();
  });
  servers.push(server);
  const answers = trackOpenAnswers(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { answers, held, arrived: arrived.promise, url: `http://127.0.0.1:${port}/` };
}

/** Resolves once `promise` settled, or to `'pending'` after the event loop turned once. */
async function stateOf(promise: Promise<void>): Promise<'settled' | 'pending'> {
  return Promise.race([
    promise.then(() => 'settled' as const),
    new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending'))),
  ]);
}

describe('trackOpenAnswers', () => {
  it('resolves at once when no answer is open', async () => {
    const { answers } = await heldServer();
    expect(await stateOf(answers.waitForNone())).toBe('settled');
  });

  it('waits for an answer until it is written', async () => {
    const { answers, held, arrived, url } = await heldServer();
    const fetched = fetch(url).then((response) => response.text());
    await arrived;
    const none = answers.waitForNone();
    expect(await stateOf(none)).toBe('pending');
    held[0]?.end('done');
    await none;
    expect(await fetched).toBe('done');
  });

  it('counts an answer as over when its connection is cut first', async () => {
    const { answers, held, arrived, url } = await heldServer();
    const client = httpRequest(url);
    client.on('error', () => {});
    client.end();
    await arrived;
    const none = answers.waitForNone();
    client.destroy();
    await none;
    expect(held[0]?.writableFinished).toBe(false);
  });
});

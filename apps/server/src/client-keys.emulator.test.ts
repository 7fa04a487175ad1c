import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayHarness, startGatewayHarness } from './__fixtures__/gateway-harness.js';
import {
  closeCode,
  createResponse,
  openResponsesSocket,
  webSocketRequestLog,
} from './__fixtures__/responses-websocket-client.js';
import { type ClientKeyStore, createFileClientKeyStore } from './client-key-store.js';

async function continuedRequests(harness: GatewayHarness): Promise<number> {
  const text = await (await fetch(`${harness.gateway.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith('codetether_server_upstream_requests_total{mode="continued"}'));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('keys per client (emulator behind, WebSocket upstream)', () => {
  let harness: GatewayHarness;
  let laptop: string;
  let phone: string;
  let store: ClientKeyStore;

  beforeAll(async () => {
    store = createFileClientKeyStore({ home: await mkdtemp(join(tmpdir(), 'codetether-keys-')) });
    laptop = (await store.create('laptop')).key;
    phone = (await store.create('phone')).key;
    harness = await startGatewayHarness({ transport: 'websocket', clientKeys: { store } });
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('never continues one key’s conversation for another key with the same messages', {
    timeout: 30_000,
  }, async () => {
    const clientOf = (apiKey: string) => new OpenAI({ baseURL: harness.baseUrl, apiKey, maxRetries: 0 });
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: '[scenario:text] Hello there' },
    ];
    const first = await clientOf(laptop).chat.completions.create({ model: 'gpt-5.4', messages });
    messages.push(
      { role: 'assistant', content: first.choices[0]?.message.content ?? '' },
      { role: 'user', content: '[scenario:text] and then?' },
    );
    const before = await continuedRequests(harness);
    // The phone key sends the laptop's transcript: a new conversation upstream, not a continuation.
    await clientOf(phone).chat.completions.create({ model: 'gpt-5.4', messages });
    expect(await continuedRequests(harness)).toBe(before);
    // The laptop key itself continues it.
    await clientOf(laptop).chat.completions.create({ model: 'gpt-5.4', messages });
    expect(await continuedRequests(harness)).toBe(before + 1);
  });

  it('refuses the next response.create of an open WebSocket once its key is revoked, and closes it', {
    timeout: 30_000,
  }, async () => {
    const tablet = (await store.create('tablet')).key;
    const socket = await openResponsesSocket(harness, tablet);
    const closed = closeCode(socket);
    const answer = async (input: string) =>
      (await createResponse(socket, { model: 'gpt-5.4', input })).at(-1);
    expect((await answer('[scenario:text] before'))?.type).toBe('response.completed');
    await store.revoke('tablet');
    expect(await answer('[scenario:text] after')).toMatchObject({
      type: 'error',
      status: 401,
      error: { code: 'invalid_api_key' },
    });
    expect(await closed).toBe(1008);
    // Refused, it is a request of the log with its status, as a refused HTTP request is.
    expect(webSocketRequestLog(harness).at(-1)).toMatchObject({
      msg: 'request',
      method: 'response.create',
      status: 401,
    });
  });
});

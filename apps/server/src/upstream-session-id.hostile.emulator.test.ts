import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedRequest } from '@codetether/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientChatMessage, sendChatTurn } from './__fixtures__/chat-turn.js';
import { type GatewayHarness, startGatewayHarness } from './__fixtures__/gateway-harness.js';
import { createFileClientKeyStore } from './client-key-store.js';

const SHARED_SESSION = 'the-same-session-id';

/** Sends a chat turn with a key on the shared session; resolves the client's messages after the answer. */
const chat = (harness: GatewayHarness, key: string, messages: ClientChatMessage[]) =>
  sendChatTurn(harness, { key, sessionId: SHARED_SESSION, messages });

function lastUpstreamRequest(harness: GatewayHarness): RecordedRequest | undefined {
  return harness.emulator.requests.filter((request) => request.path.endsWith('/responses')).at(-1);
}

const cacheKeyOf = (request: RecordedRequest | undefined): unknown =>
  (request?.body as { prompt_cache_key?: unknown } | undefined)?.prompt_cache_key;

describe('a session id that two client keys both send (emulator behind, WebSocket upstream)', () => {
  let harness: GatewayHarness;
  let alice: string;
  let mallory: string;

  beforeAll(async () => {
    const store = createFileClientKeyStore({ home: await mkdtemp(join(tmpdir(), 'codetether-keys-')) });
    alice = (await store.create('alice')).key;
    mallory = (await store.create('mallory')).key;
    harness = await startGatewayHarness({ transport: 'websocket', clientKeys: { store } });
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('gives each key its own upstream session: the other key can neither share nor close it', {
    timeout: 60_000,
  }, async () => {
    const alicesConversation = await chat(harness, alice, [
      { role: 'user', content: '[scenario:text] Hello from Alice' },
    ]);
    const alicesOpening = lastUpstreamRequest(harness);

    // Mallory names Alice's session: her turn, then one whose history does not match (which closes hers).
    await chat(harness, mallory, [{ role: 'user', content: '[scenario:text] Hello from Mallory' }]);
    const mallorysOpening = lastUpstreamRequest(harness);
    await chat(harness, mallory, [
      { role: 'user', content: '[scenario:text] Hello from Mallory' },
      { role: 'assistant', content: 'An answer the gateway never gave' },
      { role: 'user', content: 'And then?' },
    ]);
    expect(mallorysOpening?.headers['session-id']).not.toBe(alicesOpening?.headers['session-id']);
    expect(cacheKeyOf(mallorysOpening)).not.toBe(cacheKeyOf(alicesOpening));
    expect(mallorysOpening?.previousResponseId).toBeUndefined();

    // Alice's next turn still continues her response over her own socket.
    await chat(harness, alice, [...alicesConversation, { role: 'user', content: 'And then?' }]);
    const alicesNext = lastUpstreamRequest(harness);
    expect(alicesNext?.previousResponseId).toMatch(/^resp_/);
    expect(alicesNext?.connectionId).toBe(alicesOpening?.connectionId);
    expect(alicesNext?.headers['session-id']).toBe(alicesOpening?.headers['session-id']);
    expect(cacheKeyOf(alicesNext)).toBe(cacheKeyOf(alicesOpening));
  });
});

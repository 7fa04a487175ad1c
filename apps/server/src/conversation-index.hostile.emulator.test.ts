import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientChatMessage, sendChatTurn } from './__fixtures__/chat-turn.js';
import { type GatewayHarness, startGatewayHarness } from './__fixtures__/gateway-harness.js';
import { createFileClientKeyStore } from './client-key-store.js';

/** Sends a chat turn with a key; resolves the messages the client holds after the answer. */
const chat = (harness: GatewayHarness, key: string, messages: ClientChatMessage[]) =>
  sendChatTurn(harness, { key, messages });

async function metric(harness: GatewayHarness, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${harness.gateway.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('a key that opens conversation after conversation (emulator behind, WebSocket upstream)', () => {
  let harness: GatewayHarness;
  let patient: string;
  let flooding: string;

  beforeAll(async () => {
    const store = createFileClientKeyStore({ home: await mkdtemp(join(tmpdir(), 'codetether-keys-')) });
    patient = (await store.create('patient')).key;
    flooding = (await store.create('flooding')).key;
    harness = await startGatewayHarness({
      transport: 'websocket',
      clientKeys: { store },
      continuation: { maxConversations: 4 },
    });
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('evicts its own conversations, not another key’s, and /metrics shows the bounded index', {
    timeout: 60_000,
  }, async () => {
    const patientConversation = await chat(harness, patient, [
      { role: 'user', content: '[scenario:text] Hello from the patient key' },
    ]);
    for (let number = 0; number < 20; number += 1)
      await chat(harness, flooding, [{ role: 'user', content: `[scenario:text] Flood ${number}` }]);
    expect(await metric(harness, 'codetether_server_conversations')).toBe(4);
    expect(await metric(harness, 'codetether_server_conversation_bytes')).toBeGreaterThan(0);
    expect(await metric(harness, 'codetether_server_kept_responses')).toBe(0);

    const before = harness.emulator.requests.length;
    await chat(harness, patient, [...patientConversation, { role: 'user', content: 'And then?' }]);
    const upstream = harness.emulator.requests
      .slice(before)
      .filter((request) => request.path.endsWith('/responses'));
    expect(upstream).toHaveLength(1);
    expect(upstream[0]?.previousResponseId).toMatch(/^resp_/);
  });
});

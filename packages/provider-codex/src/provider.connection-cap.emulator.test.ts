import type { ChatMessage, StreamChunk } from '@codetether/responses-protocol';
import { createWebSocketTransport, type WebSocketTransport } from '@codetether/transport-ws';
import { describe, expect, it, vi } from 'vitest';
import { expectProviderError, providerFor, useEmulatorHarness } from './__fixtures__/emulator-harness.js';
import type { TransportMode } from './configuration.js';
import type { TransportFallbackInfo } from './turn-sender.js';

/*
 * The WebSocket transport's socket cap (`maxConnections`) as the provider meets it: a request that
 * finds every socket busy goes over HTTP at once (auto mode) — only that request; the session's next
 * turn tries the WebSocket again — and fails fast, retryable, when the provider is on WebSocket only.
 */

const harness = useEmulatorHarness();
const TIMEOUT = { timeout: 20_000 };

function userMessage(text: string): ChatMessage[] {
  return [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: text },
  ];
}

/** A provider whose WebSocket transport holds at most one socket, and that transport. */
function cappedProvider(mode: TransportMode, fallbacks: TransportFallbackInfo[] = []) {
  const webSocketTransport: WebSocketTransport = createWebSocketTransport({ maxConnections: 1 });
  harness.onCleanup(() => webSocketTransport.close());
  const provider = harness.track(
    providerFor(harness.emulator, 'chatgpt', mode, {
      webSocketTransport,
      onTransportFallback: (info) => fallbacks.push(info),
    }),
  );
  return { provider, webSocketTransport };
}

/** Starts a slow streamed answer and reads until its first text chunk: its socket is then busy. */
async function occupySocket(provider: ReturnType<typeof cappedProvider>['provider']) {
  harness.emulator.setOptions({ eventDelayMs: 100 });
  const stream = provider.completeStream(
    { model: 'gpt-5.4', messages: userMessage('[scenario:slow] tell me a story') },
    { sessionId: 'busy-session' },
  );
  const iterator = stream[Symbol.asyncIterator]();
  let chunk: IteratorResult<StreamChunk>;
  do chunk = await iterator.next();
  while (!chunk.done && chunk.value.type !== 'text');
  expect(chunk.done).toBe(false);
  return iterator;
}

/** Transports of the `/responses` requests recorded since the last clear. */
function wires(): string[] {
  return harness.responsesRequests().map((recorded) => recorded.transport);
}

describe('WebSocket socket cap (maxConnections)', () => {
  it('sends a request that finds every socket busy over HTTP, for that request only', TIMEOUT, async () => {
    const fallbacks: TransportFallbackInfo[] = [];
    const { provider, webSocketTransport } = cappedProvider('auto', fallbacks);
    const busy = await occupySocket(provider);
    expect(webSocketTransport.state()).toMatchObject({ countedConnections: 1, activeResponses: 1 });
    harness.emulator.setOptions({ eventDelayMs: 0 });
    harness.emulator.clearRequests();

    const answer = await provider.complete(
      { model: 'gpt-5.4', messages: userMessage('hi') },
      { sessionId: 'second-session' },
    );
    expect(answer.text.length).toBeGreaterThan(0);
    expect(wires()).toEqual(['http']);
    expect(fallbacks).toEqual([
      { sessionId: 'second-session', reason: 'too-many-connections', endpointWide: false },
    ]);
    // A one-shot request (no session of the caller's) takes the same way.
    await provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') });
    expect(wires()).toEqual(['http', 'http']);

    // The busy response ends (the caller stops reading): its socket's place is free again.
    await busy.return?.();
    await vi.waitFor(() => expect(webSocketTransport.state().countedConnections).toBe(0));
    harness.emulator.clearRequests();
    await provider.complete(
      { model: 'gpt-5.4', messages: userMessage('hi') },
      { sessionId: 'second-session' },
    );
    // Not remembered as a session fallback: the session is back on the WebSocket.
    expect(wires()).toEqual(['websocket']);
    expect(fallbacks).toHaveLength(2);
  });

  it('fails fast with a retryable error when the provider is on the WebSocket only', TIMEOUT, async () => {
    const { provider, webSocketTransport } = cappedProvider('websocket');
    const busy = await occupySocket(provider);
    harness.emulator.clearRequests();
    const error = await expectProviderError(
      provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') }, { sessionId: 'second-session' }),
      'network-error',
    );
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('maxConnections');
    expect(wires()).toEqual([]);
    await busy.return?.();
    await vi.waitFor(() => expect(webSocketTransport.state().countedConnections).toBe(0));
  });
});

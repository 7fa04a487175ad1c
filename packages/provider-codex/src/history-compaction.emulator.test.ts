import type { ResponseItem } from '@codetether/responses-protocol';
import { DEFAULT_INSTRUCTIONS } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { emulatorCredentials, providerFor, useEmulatorHarness } from './__fixtures__/emulator-harness.js';
import { CodexProviderError } from './errors.js';

const TIMEOUT = { timeout: 20_000 };

const history: ResponseItem[] = [
  { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'the first question' }] },
  { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'the first answer' }] },
  { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'the latest question' }] },
];

describe.each(['chatgpt', 'api-key'] as const)('provider.compactHistory (%s)', (mode) => {
  const harness = useEmulatorHarness();

  /** The bodies of the `/responses/compact` requests the emulator received. */
  const compactBodies = () =>
    harness.emulator.requests
      .filter((request) => request.path.endsWith('/responses/compact'))
      .map((request) => request.body as Record<string, unknown>);

  it(
    "answers the upstream's compaction: the latest user messages, one compaction item, its id, time and usage",
    TIMEOUT,
    async () => {
      const provider = harness.track(providerFor(harness.emulator, mode, 'http'));
      const compacted = await provider.compactHistory({
        model: 'gpt-5.4',
        input: history,
        instructions: 'Be terse.',
      });
      expect(compacted.output.at(-1)?.type).toBe('compaction');
      expect(compacted.output.filter((item) => item.type === 'compaction')).toHaveLength(1);
      expect(JSON.stringify(compacted.output)).toContain('the latest question');
      expect(compacted.id).toMatch(/^resp_/);
      expect(typeof compacted.createdAt).toBe('number');
      expect(compacted.usage).toMatchObject({ input_tokens: expect.any(Number) });
      expect(compactBodies()).toEqual([{ model: 'gpt-5.4', input: history, instructions: 'Be terse.' }]);
    },
  );

  it(
    'sends the model without its alias suffix, and instructions only where the backend needs them',
    TIMEOUT,
    async () => {
      const provider = harness.track(providerFor(harness.emulator, mode, 'http'));
      await provider.compactHistory({ model: 'gpt-5.4:high', input: history });
      const [body] = compactBodies();
      expect(body?.model).toBe('gpt-5.4');
      if (mode === 'chatgpt') expect(body?.instructions).toBe(DEFAULT_INSTRUCTIONS);
      else expect(body).not.toHaveProperty('instructions');
    },
  );

  it('refuses a request without a model before sending anything', TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, mode, 'http'));
    const failure = await provider
      .compactHistory({ model: ' ', input: history })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CodexProviderError);
    expect(failure).toMatchObject({ code: 'invalid-request' });
    expect(compactBodies()).toHaveLength(0);
  });

  it("passes the upstream's refusal on with its status, param and code", TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, mode, 'http'));
    const forged: ResponseItem[] = [...history, { type: 'compaction', encrypted_content: 'forged' }];
    const failure = await provider
      .compactHistory({ model: 'gpt-5.4', input: forged })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CodexProviderError);
    expect(failure).toMatchObject({ status: 400, upstreamError: { code: 'invalid_encrypted_content' } });
  });

  it('stops at once when its signal aborts', TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, mode, 'http'));
    const failure = await provider
      .compactHistory({ model: 'gpt-5.4', input: history }, { signal: AbortSignal.abort() })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'aborted' });
    expect(compactBodies()).toHaveLength(0);
  });
});

describe('provider.compactHistory with an expired ChatGPT token', () => {
  const harness = useEmulatorHarness();

  it('refreshes the rejected token once and compacts', TIMEOUT, async () => {
    const { createMemoryCredentialStore } = await import('@codetether/oauth-pkce');
    const store = createMemoryCredentialStore(
      emulatorCredentials(harness.emulator, {
        accessToken: 'stale-token',
        expiresAt: Date.now() + 3_600_000,
      }),
    );
    const provider = harness.track(providerFor(harness.emulator, 'chatgpt', 'http', { store }));
    const compacted = await provider.compactHistory({ model: 'gpt-5.4', input: history });
    expect(compacted.output.at(-1)?.type).toBe('compaction');
    expect(harness.tokenRequests()).toHaveLength(1);
  });
});

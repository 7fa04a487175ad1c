import { createMemoryCredentialStore } from '@codetether/oauth-pkce';
import { describe, expect, it } from 'vitest';
import {
  emulatorCredentials,
  expectProviderError,
  providerFor,
  useEmulatorHarness,
} from './__fixtures__/emulator-harness.js';

const harness = useEmulatorHarness();

const hi = [{ role: 'user' as const, content: 'hi' }];

/** A provider whose stored login has expired and whose refresh token the issuer does not know. */
function providerWithRejectedRefreshToken(transport: 'http' | 'websocket') {
  const credentials = emulatorCredentials(harness.emulator, { expiresAt: Date.now() - 60_000 });
  credentials.tokens.refreshToken = 'rt-the-issuer-never-issued';
  const store = createMemoryCredentialStore(credentials);
  return harness.track(providerFor(harness.emulator, 'chatgpt', transport, { store, home: false }));
}

describe('a refresh token the issuer rejects', () => {
  it.each(['http', 'websocket'] as const)(
    'is tried once on the first %s request, which fails with "log in again"',
    async (transport) => {
      const provider = providerWithRejectedRefreshToken(transport);
      const error = await expectProviderError(
        provider.complete({ model: 'gpt-5.4', messages: hi }),
        'unauthorized',
      );
      expect(error.message).toContain('codetether auth login');
      expect(harness.tokenRequests()).toHaveLength(1);
      expect(harness.responsesRequests()).toHaveLength(0);
    },
  );

  it('is tried once by a conversation turn', async () => {
    const provider = providerWithRejectedRefreshToken('http');
    const conversation = provider.createConversation({ model: 'gpt-5.4' });
    const codes: (string | undefined)[] = [];
    try {
      for await (const chunk of conversation.send('hi')) if (chunk.type === 'error') codes.push(chunk.code);
    } catch (error) {
      codes.push((error as { code: string }).code);
    }
    expect(codes).toEqual(['unauthorized']);
    expect(harness.tokenRequests()).toHaveLength(1);
    await conversation.close();
  });

  it('is tried once by validateModel and listModels together', async () => {
    const provider = providerWithRejectedRefreshToken('http');
    await expectProviderError(provider.validateModel('gpt-6'), 'unauthorized');
    expect(harness.tokenRequests()).toHaveLength(1);
  });
});

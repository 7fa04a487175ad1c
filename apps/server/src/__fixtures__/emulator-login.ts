// Imported both by the tests and, as TypeScript that Node runs by stripping the types, by
// bench/gateway-bench.mjs: so this file has type-only imports and nothing Node cannot strip.
import type { IssuedTokens } from '@codetether/emulator';
import type { StoredChatGptCredentials } from '@codetether/oauth-pkce';

/**
 * The ChatGPT login `codetether auth login` would store for tokens the emulator issued.
 *
 * @param tokens - what `emulator.issueTokens()` returned
 * @param now - when the login was made, epoch ms (default now)
 */
export function toStoredLogin(tokens: IssuedTokens, now: number = Date.now()): StoredChatGptCredentials {
  return {
    type: 'chatgpt',
    tokens: {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      idToken: tokens.idToken,
      expiresAt: tokens.expiresAt,
    },
    accountId: tokens.accountId,
    lastRefreshAt: now,
    source: 'login',
  };
}

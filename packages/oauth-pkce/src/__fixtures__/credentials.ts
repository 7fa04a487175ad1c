import type { StoredChatGptCredentials } from '../credentials.js';
import { makeChatGptJwt } from './jwt.js';

/**
 * Builds test credentials.
 *
 * @param options - expiry (epoch ms), marker and source
 */
export function makeCredentials(
  options: {
    expiresAt?: number;
    marker?: string;
    source?: StoredChatGptCredentials['source'];
    refreshToken?: string;
  } = {},
): StoredChatGptCredentials {
  const marker = options.marker ?? 'one';
  const expiresAt = options.expiresAt ?? Date.now() + 3_600_000;
  return {
    type: 'chatgpt',
    tokens: {
      accessToken: makeChatGptJwt({ marker, exp: Math.floor(expiresAt / 1000) }),
      refreshToken: options.refreshToken ?? `refresh-${marker}`,
      idToken: makeChatGptJwt({ marker: `id-${marker}`, accountId: 'acct_123', exp: 2_000_000_000 }),
      expiresAt,
    },
    accountId: 'acct_123',
    lastRefreshAt: 1_700_000_000_000,
    source: options.source ?? 'login',
  };
}

import { CodexProviderError } from '@codetether/provider-codex';
import { describe, expect, it } from 'vitest';
import { mapProviderError } from './upstream-error-mapping.js';

describe('mapProviderError', () => {
  it('answers 503 store_unavailable when the shared credential store (CODETETHER_STORE) is down', () => {
    const message =
      'The credential store Redis at redis://redis:6379/0 is unavailable (connection refused). Check that Redis is running and reachable, then try again.';
    const error = mapProviderError(
      new CodexProviderError('store-unavailable', message, { isRetryable: true }),
      Date.now(),
    );
    expect(error).toMatchObject({ status: 503, type: 'server_error', code: 'store_unavailable', message });
  });
});

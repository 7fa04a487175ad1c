import { describe, expect, it } from 'vitest';
import { isResponsesTransportError, ResponsesTransportError } from './transport-error.js';

describe('ResponsesTransportError', () => {
  it('keeps the code, the cause and the given details, and leaves undefined ones off', () => {
    const cause = new Error('socket hang up');
    const error = new ResponsesTransportError('usage-limit-reached', 'Usage limit reached.', {
      transport: 'http',
      isRetryable: false,
      fallbackSafe: true,
      cause,
      status: 429,
      resetsAt: 1_767_225_600_000,
      planType: 'plus',
      requestId: undefined,
    });
    expect(error).toBeInstanceOf(Error);
    expect(isResponsesTransportError(error)).toBe(true);
    expect(isResponsesTransportError(new Error('x'))).toBe(false);
    expect(error).toMatchObject({
      name: 'ResponsesTransportError',
      code: 'usage-limit-reached',
      transport: 'http',
      isRetryable: false,
      fallbackSafe: true,
      status: 429,
      resetsAt: 1_767_225_600_000,
      planType: 'plus',
    });
    expect(error.cause).toBe(cause);
    expect('requestId' in error).toBe(false);
    expect('closeCode' in error).toBe(false);
  });
});

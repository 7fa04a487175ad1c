import { describe, expect, it } from 'vitest';
import { withoutSecretsInEvent } from './event-secret-redaction.js';

const secret = 'opaque-token-value';

describe('withoutSecretsInEvent', () => {
  it('scrubs the flat and nested messages of an error event', () => {
    const event = { type: 'error', message: `bad ${secret}`, error: { code: 'x', message: `no ${secret}` } };
    expect(withoutSecretsInEvent(event, [secret])).toEqual({
      type: 'error',
      message: 'bad [redacted]',
      error: { code: 'x', message: 'no [redacted]' },
    });
    expect(event.message).toBe(`bad ${secret}`);
  });

  it("scrubs a terminal event's response.error.message, keeping the rest", () => {
    const event = {
      type: 'response.failed',
      sequence_number: 4,
      response: { id: 'resp_1', status: 'failed', error: { code: 'server_error', message: `key ${secret}` } },
    };
    expect(withoutSecretsInEvent(event, [secret])).toEqual({
      ...event,
      response: { ...event.response, error: { code: 'server_error', message: 'key [redacted]' } },
    });
  });

  it('returns every other value as it is', () => {
    const delta = { type: 'response.output_text.delta', delta: secret };
    const clean = { type: 'error', message: 'nothing secret here' };
    for (const value of [delta, clean, null, 'text', { type: 'response.failed', response: null }]) {
      expect(withoutSecretsInEvent(value, [secret])).toBe(value);
    }
  });
});

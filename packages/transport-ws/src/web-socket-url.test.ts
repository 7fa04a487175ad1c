import { describe, expect, it } from 'vitest';
import { WebSocketTransportError } from './web-socket-transport-error.js';
import { toWebSocketUrl } from './web-socket-url.js';

describe('toWebSocketUrl', () => {
  it('turns http into ws and https into wss, keeping path and query', () => {
    expect(toWebSocketUrl('http://127.0.0.1:8080/backend-api/codex/responses')).toBe(
      'ws://127.0.0.1:8080/backend-api/codex/responses',
    );
    expect(toWebSocketUrl('https://chatgpt.com/backend-api/codex/responses?x=1')).toBe(
      'wss://chatgpt.com/backend-api/codex/responses?x=1',
    );
  });

  it('keeps ws and wss URLs', () => {
    expect(toWebSocketUrl('wss://api.openai.com/v1/responses')).toBe('wss://api.openai.com/v1/responses');
    expect(toWebSocketUrl('ws://localhost/v1/responses')).toBe('ws://localhost/v1/responses');
  });

  it('rejects other schemes and non-URLs with invalid-request', () => {
    for (const url of ['ftp://example.com/responses', 'not a url']) {
      try {
        toWebSocketUrl(url);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(WebSocketTransportError);
        expect(error).toMatchObject({ code: 'invalid-request', fallbackSafe: false, isRetryable: false });
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { buildRequestHeaders, HTTP_OPENAI_BETA, WEBSOCKET_OPENAI_BETA } from './request-headers.js';

const base = {
  bearerToken: 't',
  sessionId: 's-1',
  originator: 'codex_cli_rs',
  userAgent: 'codetether/0.1.0',
};

describe('buildRequestHeaders', () => {
  it('sends the ChatGPT headers over HTTP', () => {
    expect(buildRequestHeaders({ ...base, backend: 'chatgpt', wire: 'http', accountId: 'acc' })).toEqual({
      authorization: 'Bearer t',
      'user-agent': 'codetether/0.1.0',
      'openai-beta': HTTP_OPENAI_BETA,
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'chatgpt-account-id': 'acc',
      originator: 'codex_cli_rs',
      'session-id': 's-1',
      'thread-id': 's-1',
      'x-client-request-id': 's-1',
    });
  });

  it('uses the WebSocket beta header and no accept/content-type over the WebSocket', () => {
    const headers = buildRequestHeaders({ ...base, backend: 'chatgpt', wire: 'websocket', accountId: 'acc' });
    expect(headers['openai-beta']).toBe(WEBSOCKET_OPENAI_BETA);
    expect(headers.accept).toBeUndefined();
    expect(headers['content-type']).toBeUndefined();
  });

  it('sends only bearer auth and generic headers to the OpenAI API', () => {
    const headers = buildRequestHeaders({ ...base, backend: 'openai', wire: 'http' });
    expect(headers.authorization).toBe('Bearer t');
    expect(headers['chatgpt-account-id']).toBeUndefined();
    expect(headers.originator).toBeUndefined();
  });
});

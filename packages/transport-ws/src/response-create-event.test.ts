import { describe, expect, it } from 'vitest';
import { buildHandshakeHeaders } from './handshake-headers.js';
import { buildResponseCreateEvent } from './response-create-event.js';

describe('buildResponseCreateEvent', () => {
  it('puts type first and drops stream', () => {
    const event = buildResponseCreateEvent({ model: 'gpt-5.4', stream: true, input: [], store: false });
    expect(event).toEqual({ type: 'response.create', model: 'gpt-5.4', input: [], store: false });
    expect(Object.keys(event)[0]).toBe('type');
  });
});

describe('buildHandshakeHeaders', () => {
  it('keeps the caller headers and drops the ones the handshake manages', () => {
    expect(
      buildHandshakeHeaders({
        Authorization: 'Bearer t',
        'chatgpt-account-id': 'acc',
        originator: 'codex_cli_rs',
        'User-Agent': 'ua',
        'OpenAI-Beta': 'responses_websockets=2026-02-06',
        Connection: 'keep-alive',
        'Content-Length': '12',
        Host: 'example.com',
        'Sec-WebSocket-Key': 'x',
      }),
    ).toEqual({
      Authorization: 'Bearer t',
      'chatgpt-account-id': 'acc',
      originator: 'codex_cli_rs',
      'User-Agent': 'ua',
      'OpenAI-Beta': 'responses_websockets=2026-02-06',
    });
  });
});

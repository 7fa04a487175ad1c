import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatgptHeaders, postResponses } from './__fixtures__/emulator-client.js';
import { createRequestRecorder, REDACTED, redactBody, redactHeaders } from './recording.js';
import { startEmulator } from './server.js';
import type { Emulator } from './types.js';

describe('redaction', () => {
  it('redacts secret headers but keeps the authorization scheme', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer abc.def',
        cookie: 'a=b',
        'x-api-key': 'k',
        accept: 'text/event-stream',
      }),
    ).toEqual({
      authorization: `Bearer ${REDACTED}`,
      cookie: REDACTED,
      'x-api-key': REDACTED,
      accept: 'text/event-stream',
    });
  });

  it('redacts secret fields at any depth', () => {
    expect(
      redactBody({ grant_type: 'refresh_token', refresh_token: 'rt', nested: [{ id_token: 'x', keep: 1 }] }),
    ).toEqual({
      grant_type: 'refresh_token',
      refresh_token: REDACTED,
      nested: [{ id_token: REDACTED, keep: 1 }],
    });
  });

  it('keeps at most the configured number of requests', () => {
    const recorder = createRequestRecorder(() => 2);
    for (const path of ['/a', '/b', '/c']) {
      recorder.record({
        method: 'GET',
        path,
        query: {},
        headers: {},
        body: undefined,
        transport: 'http',
        at: 0,
      });
    }
    expect(recorder.requests.map((request) => request.path)).toEqual(['/b', '/c']);
  });
});

describe('recording through the server', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await emulator.close();
  });

  it('records method, path, redacted headers, body and transport; never the secrets', async () => {
    const tokens = emulator.issueTokens();
    await fetch(`${emulator.issuerUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refreshToken,
        client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      }),
    });
    const headers = chatgptHeaders(emulator);
    await postResponses(`${emulator.chatgptBaseUrl}/responses`, headers, {
      model: 'gpt-5.4',
      input: 'hello',
    });
    const [refresh, responses] = emulator.requests;
    expect(refresh).toMatchObject({
      method: 'POST',
      path: '/oauth/token',
      transport: 'http',
      body: { grant_type: 'refresh_token', refresh_token: REDACTED },
    });
    expect(responses).toMatchObject({
      method: 'POST',
      path: '/backend-api/codex/responses',
      transport: 'http',
      scenario: 'echo',
      body: { model: 'gpt-5.4', input: 'hello' },
      headers: { authorization: `Bearer ${REDACTED}`, 'chatgpt-account-id': tokens.accountId },
    });
    const serialized = JSON.stringify(emulator.requests);
    expect(serialized).not.toContain(tokens.refreshToken);
    expect(serialized).not.toContain(String(headers.authorization).slice(7));
    emulator.clearRequests();
    expect(emulator.requests).toHaveLength(0);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatgptHeaders, openSocket, postResponses } from './__fixtures__/emulator-client.js';
import { createRequestRecorder, REDACTED, redactBody, redactRecordedHeaders } from './recording.js';
import { startEmulator } from './server.js';
import type { Emulator } from './types.js';

describe('redaction', () => {
  it('redacts secret headers but keeps the authorization scheme', () => {
    expect(
      redactRecordedHeaders({
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
  it('records the connection, previous_response_id, input items and bytes of each Responses request', async () => {
    const httpBody = JSON.stringify({ model: 'gpt-5.4', input: 'hello', stream: true });
    await fetch(`${emulator.chatgptBaseUrl}/responses`, {
      method: 'POST',
      headers: chatgptHeaders(emulator),
      body: httpBody,
    }).then((response) => response.text());
    const socket = await openSocket(`${emulator.chatgptBaseUrl}/responses`, chatgptHeaders(emulator));
    const first = JSON.stringify({
      type: 'response.create',
      model: 'gpt-5.4',
      input: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ],
    });
    socket.socket.send(first);
    const events = await socket.nextResponse();
    const id = String((events.at(-1)?.response as { id?: string } | undefined)?.id);
    const second = JSON.stringify({
      type: 'response.create',
      model: 'gpt-5.4',
      input: [],
      previous_response_id: id,
    });
    socket.socket.send(second);
    await socket.nextResponse();
    socket.socket.send(JSON.stringify({ type: 'response.processed', response_id: id }));
    socket.socket.send('garbage');
    await socket.nextResponse();
    socket.socket.terminate();
    await fetch(`${emulator.url}/health`);

    const [http, create, continued, processed, garbage, health] = emulator.requests;
    expect(http).toMatchObject({
      transport: 'http',
      inputItems: 1,
      bytesReceived: Buffer.byteLength(httpBody),
    });
    expect(http).not.toHaveProperty('connectionId');
    expect(http).not.toHaveProperty('previousResponseId');
    expect(create).toMatchObject({
      transport: 'websocket',
      connectionId: expect.stringMatching(/^conn_/),
      inputItems: 2,
      bytesReceived: Buffer.byteLength(first),
    });
    expect(continued).toMatchObject({
      connectionId: create?.connectionId,
      previousResponseId: id,
      inputItems: 0,
      bytesReceived: Buffer.byteLength(second),
    });
    expect(processed).toMatchObject({
      connectionId: create?.connectionId,
      body: { type: 'response.processed' },
    });
    expect(processed).not.toHaveProperty('inputItems');
    expect(garbage).toMatchObject({ body: 'garbage', bytesReceived: 7 });
    expect(garbage).not.toHaveProperty('inputItems');
    expect(health).toMatchObject({ path: '/health', bytesReceived: 0 });
    expect(health).not.toHaveProperty('inputItems');
  });
});

describe('redaction of every kind of secret', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ deviceCodePendingPolls: 0 });
  });
  afterEach(async () => {
    await emulator.close();
  });

  const form = (fields: Record<string, string>) =>
    fetch(`${emulator.issuerUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'app_EMoamEEZ73f0CkXaXp7hrann', ...fields }),
    }).then((response) => response.json() as Promise<Record<string, unknown>>);

  it('never keeps a token, code, verifier, device id or API key of any request', async () => {
    const tokens = emulator.issueTokens();
    const apiKey = emulator.createApiKey();
    const secrets = [tokens.accessToken, tokens.refreshToken, tokens.idToken, apiKey];

    secrets.push(
      String((await form({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken })).access_token),
    );
    const exchanged = await form({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token: 'openai-api-key',
      subject_token: tokens.idToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    });
    secrets.push(String(exchanged.access_token));

    const start = (await (
      await fetch(`${emulator.issuerUrl}/api/accounts/deviceauth/usercode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'app_EMoamEEZ73f0CkXaXp7hrann' }),
      })
    ).json()) as Record<string, string>;
    const approved = (await (
      await fetch(`${emulator.issuerUrl}/api/accounts/deviceauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ device_auth_id: start.device_auth_id, user_code: start.user_code }),
      })
    ).json()) as Record<string, string>;
    secrets.push(
      String(start.device_auth_id),
      String(approved.authorization_code),
      String(approved.code_verifier),
    );
    await form({
      grant_type: 'authorization_code',
      code: String(approved.authorization_code),
      code_verifier: String(approved.code_verifier),
      redirect_uri: `${emulator.issuerUrl}/deviceauth/callback`,
    });

    // Secrets in unusual places: camelCase fields, an API key field, another header, free text.
    await fetch(`${emulator.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'x-forwarded-authorization': `Bearer ${tokens.accessToken}`,
        'openai-api-key': apiKey,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: 'gpt-5.4',
        input: `my refresh token is ${tokens.refreshToken}`,
        metadata: { apiKey, refreshToken: tokens.refreshToken, 'Code-Verifier': 'v'.repeat(43) },
        stream: true,
      }),
    }).then((response) => response.text());
    secrets.push('v'.repeat(43));

    // A WebSocket frame that is not valid JSON is recorded as text, scrubbed too.
    const socket = await openSocket(`${emulator.openaiBaseUrl}/responses`, {
      authorization: `Bearer ${apiKey}`,
    });
    socket.socket.send(`{"type":"response.create","refresh_token":"${tokens.refreshToken}"`);
    await socket.nextResponse();
    socket.socket.terminate();

    const recorded = JSON.stringify(emulator.requests);
    for (const secret of secrets) expect(recorded, secret.slice(0, 12)).not.toContain(secret);
    expect(recorded).toContain(REDACTED);
    const responses = emulator.requests.find((request) => request.path === '/v1/responses');
    expect(responses?.headers).toMatchObject({
      authorization: `Bearer ${REDACTED}`,
      'x-forwarded-authorization': `Bearer ${REDACTED}`,
      'openai-api-key': REDACTED,
    });
    expect(responses?.body).toMatchObject({
      model: 'gpt-5.4',
      input: `my refresh token is ${REDACTED}`,
      metadata: { apiKey: REDACTED, refreshToken: REDACTED, 'Code-Verifier': REDACTED },
    });
    const token = emulator.requests.filter((request) => request.path === '/oauth/token');
    expect(token.map((request) => request.body)).toEqual([
      expect.objectContaining({ refresh_token: REDACTED }),
      expect.objectContaining({ subject_token: REDACTED, requested_token: 'openai-api-key' }),
      expect.objectContaining({ code: REDACTED, code_verifier: REDACTED, grant_type: 'authorization_code' }),
    ]);
  });

  it('keeps ordinary text, and a __proto__ field as a plain field', () => {
    expect(redactBody({ input: 'Bearer of good news', note: 'sk-short' })).toEqual({
      input: 'Bearer of good news',
      note: 'sk-short',
    });
    const redacted = redactBody(JSON.parse('{"__proto__":{"token":"t"},"a":1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(Object.keys(redacted)).toEqual(['__proto__', 'a']);
    expect(JSON.stringify(redacted)).toBe(`{"__proto__":{"token":"${REDACTED}"},"a":1}`);
  });
});

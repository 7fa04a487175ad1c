import { describe, expect, it } from 'vitest';
import { CodexProviderError } from './errors.js';
import { sendStoredResponseRequest } from './stored-response-requests.js';

const KEY = 'sk-proj-test-secret-key-1234567890abcdef';

/** What the fake OpenAI API answers: a status, a body (text, bytes or a stream) and headers. */
interface Refusal {
  status: number;
  body: ConstructorParameters<typeof Response>[0];
  headers?: Record<string, string>;
  /** The credential sent (default {@link KEY}). */
  token?: string;
}

/** The error `sendStoredResponseRequest` throws for the answer. */
async function thrownFor(refusal: Refusal): Promise<CodexProviderError> {
  const fetchFunction = (async () =>
    new Response(refusal.body, {
      status: refusal.status,
      headers: refusal.headers ?? {},
    })) as unknown as typeof fetch;
  const outcome = await sendStoredResponseRequest(
    {
      baseUrl: 'https://api.example.test/v1',
      credentials: { bearerToken: refusal.token ?? KEY },
      headers: { authorization: `Bearer ${refusal.token ?? KEY}` },
      fetch: fetchFunction,
      timeoutMs: 5_000,
    },
    { operation: 'retrieve', responseId: 'resp_abc' },
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(CodexProviderError);
  return outcome as CodexProviderError;
}

/** {@link thrownFor}, checking that neither the message nor the upstream error holds the key. */
async function errorFor(refusal: Refusal): Promise<CodexProviderError> {
  const error = await thrownFor(refusal);
  expect(JSON.stringify({ message: error.message, upstreamError: error.upstreamError })).not.toContain(
    'secret-key',
  );
  return error;
}

const json = (value: unknown): string => JSON.stringify(value);

describe('stored-response requests: what the OpenAI API says in an error answer', () => {
  it('keeps the status, type, param, code and message of an OpenAI error body', async () => {
    const body = json({
      error: {
        message: "Invalid 'limit': integer below minimum value.",
        type: 'invalid_request_error',
        param: 'limit',
        code: 'integer_below_min_value',
      },
    });
    for (const status of [400, 409, 422]) {
      const error = await errorFor({ status, body, headers: { 'content-type': 'application/json' } });
      expect(error).toMatchObject({ code: 'invalid-request', status, isRetryable: false });
      expect(error.upstreamError).toEqual({
        message: "Invalid 'limit': integer below minimum value.",
        type: 'invalid_request_error',
        param: 'limit',
        code: 'integer_below_min_value',
      });
      expect(error.message).toBe(
        `The OpenAI API refused the request (${status}): Invalid 'limit': integer below minimum value.`,
      );
    }
  });

  it('keeps the OpenAI error body of a 401, 403, 429 and 5xx too', async () => {
    const body = json({ error: { message: 'Nope.', type: 'server_error', code: 'c' } });
    const cases: Array<[number, string, boolean, string]> = [
      [401, 'unauthorized', false, 'The OpenAI API refused the API key (401): Nope. Check OPENAI_API_KEY.'],
      [403, 'unauthorized', false, 'The OpenAI API refused the API key (403): Nope. Check OPENAI_API_KEY.'],
      [429, 'rate-limited', true, 'The OpenAI API is rate limiting requests: Nope. Try again later.'],
      [
        500,
        'upstream-error',
        true,
        'The OpenAI API failed to answer the stored-response request (500): Nope. Try again.',
      ],
      [
        503,
        'upstream-error',
        true,
        'The OpenAI API failed to answer the stored-response request (503): Nope. Try again.',
      ],
    ];
    for (const [status, code, isRetryable, message] of cases) {
      const error = await errorFor({ status, body });
      expect(error).toMatchObject({ code, status, isRetryable, message });
      expect(error.upstreamError).toEqual({ message: 'Nope.', type: 'server_error', code: 'c' });
    }
  });

  it('gives a typed error without upstreamError for an empty body', async () => {
    for (const body of ['', '  \n', null]) {
      const refused = await errorFor({ status: 400, body });
      expect(refused).toMatchObject({
        code: 'invalid-request',
        status: 400,
        message: 'The OpenAI API refused the request (400).',
      });
      expect(refused.upstreamError).toBeUndefined();
      const failed = await errorFor({ status: 502, body });
      expect(failed).toMatchObject({
        code: 'upstream-error',
        status: 502,
        isRetryable: true,
        message: 'The OpenAI API failed to answer the stored-response request (502). Try again.',
      });
      expect(failed.upstreamError).toBeUndefined();
    }
  });

  it('quotes a non-JSON or HTML body, short and on one line, without relaying it as upstreamError', async () => {
    const refused = await errorFor({ status: 400, body: 'upstream connect error\nor disconnect' });
    expect(refused).toMatchObject({
      code: 'invalid-request',
      status: 400,
      message: 'The OpenAI API refused the request (400): upstream connect error or disconnect.',
    });
    expect(refused.upstreamError).toBeUndefined();

    const page = `<html><head><title>502 Bad Gateway</title></head><body>${'<p>nginx</p>'.repeat(200)}</body></html>`;
    const failed = await errorFor({ status: 502, body: page, headers: { 'content-type': 'text/html' } });
    expect(failed).toMatchObject({ code: 'upstream-error', status: 502, isRetryable: true });
    // An HTML page is quoted by its title.
    expect(failed.message).toBe(
      'The OpenAI API failed to answer the stored-response request (502): 502 Bad Gateway. Try again.',
    );
    expect(failed.upstreamError).toBeUndefined();
  });

  it('relays only a message the body gives in JSON; a bare code or other JSON is quoted', async () => {
    const bareCode = await errorFor({
      status: 409,
      body: json({ error: { type: 'invalid_request_error', code: 'x', param: 'limit' } }),
    });
    expect(bareCode).toMatchObject({
      code: 'invalid-request',
      status: 409,
      message: 'The OpenAI API refused the request (409): x.',
    });
    expect(bareCode.upstreamError).toBeUndefined();

    for (const [body, quoted] of [
      [json({ something: 'else' }), '{"something":"else"}'],
      [json([]), '[]'],
      ['null', 'null'],
      ['"a string"', '"a string"'],
    ]) {
      const error = await errorFor({ status: 400, body });
      expect(error).toMatchObject({
        code: 'invalid-request',
        status: 400,
        message: `The OpenAI API refused the request (400): ${quoted}.`,
      });
      expect(error.upstreamError).toBeUndefined();
    }

    // The other shapes the shared parser reads carry the server's own words: relayed like an OpenAI error.
    for (const [body, upstreamError] of [
      [json({ error: 'Missing scopes' }), { message: 'Missing scopes' }],
      [json({ detail: 'Not allowed' }), { message: 'Not allowed' }],
      [
        json({ message: 'flat', type: 'invalid_request_error' }),
        { message: 'flat', type: 'invalid_request_error' },
      ],
      [json({ error: { message: 42, code: 7 } }), { message: '42', code: '7' }],
    ] as const) {
      const error = await errorFor({ status: 405, body });
      expect(error).toMatchObject({
        code: 'invalid-request',
        status: 405,
        message: `The OpenAI API refused the request (405): ${upstreamError.message}.`,
      });
      expect(error.upstreamError).toEqual(upstreamError);
    }
  });

  it('reads at most 64 KiB of an error body and answers at once, however large it is', async () => {
    const longMessage = json({ error: { message: 'x'.repeat(100 * 1024), type: 'invalid_request_error' } });
    const long = await errorFor({ status: 400, body: longMessage });
    // Its first 64 KiB are no JSON: quoted as text, cut short.
    expect(long.code).toBe('invalid-request');
    expect(long.message).toMatch(/^The OpenAI API refused the request \(400\): \{"error":\{"message":"x+…$/);
    expect(long.message.length).toBeLessThan(400);
    expect(long.upstreamError).toBeUndefined();

    const declared = await errorFor({
      status: 500,
      body: json({ error: { message: 'small' } }),
      headers: { 'content-length': String(10 * 1024 * 1024) },
    });
    expect(declared).toMatchObject({
      code: 'upstream-error',
      message: 'The OpenAI API failed to answer the stored-response request (500): small. Try again.',
    });

    let chunksPulled = 0;
    const chunk = new TextEncoder().encode('a'.repeat(16 * 1024));
    const endless = await errorFor({
      status: 400,
      body: new ReadableStream<Uint8Array>({
        pull(controller) {
          chunksPulled += 1;
          controller.enqueue(chunk);
        },
      }),
    });
    expect(endless.code).toBe('invalid-request');
    expect(endless.message.length).toBeLessThan(400);
    expect(chunksPulled).toBeLessThan(10);
  });

  it('keeps an OpenAI error message within 1 000 characters', async () => {
    const error = await errorFor({
      status: 400,
      body: json({ error: { message: 'y'.repeat(5_000), type: 'invalid_request_error' } }),
    });
    expect(error.upstreamError?.message).toBe('y'.repeat(1_000));
    expect(error.message.length).toBeLessThan(400);
  });

  it('never repeats the API key the body echoes', async () => {
    const echoed = await errorFor({
      status: 401,
      body: json({
        error: {
          message: `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com.`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      }),
    });
    expect(echoed.code).toBe('unauthorized');
    expect(echoed.upstreamError).toEqual({
      message:
        'Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com.',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
    expect(echoed.message).toContain('Incorrect API key provided: [redacted].');

    const anotherKey = await errorFor({
      status: 400,
      body: json({ error: { message: 'Key sk-abcdefghijklmnopqrstuvwxyz is not this one.' } }),
    });
    expect(anotherKey.upstreamError?.message).toBe('Key sk-[redacted] is not this one.');

    const inText = await errorFor({ status: 400, body: `Bad key ${KEY}` });
    expect(inText.message).toBe('The OpenAI API refused the request (400): Bad key [redacted].');
    const inPage = await errorFor({
      status: 502,
      body: `<html><body>${'a '.repeat(240)}${KEY}</body></html>`,
    });
    expect(inPage.message).not.toContain('sk-proj');

    // A long credential of no known shape, cut where the page's text is cut (500 characters).
    const token = `tok${'Q'.repeat(300)}`;
    const straddling = await thrownFor({ status: 502, token, body: `${'b'.repeat(280)} ${token}` });
    expect(straddling.message).not.toContain('QQQQ');

    // JSON may escape the key; it is scrubbed once decoded.
    const escaped = await errorFor({
      status: 400,
      body: `{"error":{"message":"Bad key \\u0073${KEY.slice(1)}","type":"invalid_request_error"}}`,
    });
    expect(escaped.upstreamError?.message).toBe('Bad key [redacted]');

    // Where the message is cut (1 000 characters kept, 300 quoted) never leaves part of the key.
    for (const at of [280, 295, 990, 995]) {
      const straddling = await errorFor({
        status: 400,
        body: json({ error: { message: `${'z'.repeat(at)} ${KEY} tail`, type: 'invalid_request_error' } }),
      });
      expect(straddling.code).toBe('invalid-request');
      expect(straddling.message).not.toContain('sk-proj-test');
      expect(straddling.upstreamError?.message).not.toContain('sk-proj-test');
    }
  });

  it('scrubs the key from the type, code and param it relays too', async () => {
    const error = await errorFor({
      status: 400,
      body: json({
        error: { message: 'Bad.', type: `t ${KEY}`, code: `c ${KEY}`, param: `key ${KEY}` },
      }),
    });
    expect(error.upstreamError).toEqual({
      message: 'Bad.',
      type: 't [redacted]',
      code: 'c [redacted]',
      param: 'key [redacted]',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { CodexProviderError } from './errors.js';
import {
  MAX_STORED_RESPONSE_BYTES,
  type StoredResponseRequest,
  sendStoredResponseRequest,
} from './stored-response-requests.js';

const KEY = 'sk-test-secret-key-1234567890abcdef';

interface SentRequest {
  url: string;
  init: RequestInit;
}

function contextWith(answer: (request: SentRequest) => Promise<Response> | Response, timeoutMs = 5_000) {
  const sent: SentRequest[] = [];
  const fetchFunction = (async (url: string | URL | Request, init?: RequestInit) => {
    const request = { url: String(url), init: init ?? {} };
    sent.push(request);
    return answer(request);
  }) as typeof fetch;
  return {
    sent,
    context: {
      baseUrl: 'https://api.example.test/v1',
      credentials: { bearerToken: KEY },
      headers: { authorization: `Bearer ${KEY}`, accept: 'application/json' },
      fetch: fetchFunction,
      timeoutMs,
    },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<CodexProviderError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(CodexProviderError);
  const error = outcome as CodexProviderError;
  expect(error.message).not.toContain(KEY);
  return error;
}

const retrieve = (responseId: string): StoredResponseRequest => ({ operation: 'retrieve', responseId });

describe('stored-response requests to the OpenAI API', () => {
  it('sends GET, DELETE and input_items with the key, no redirects and only the pagination query', async () => {
    const { sent, context } = contextWith(() => Response.json({ id: 'resp_abc', object: 'response' }));
    expect(await sendStoredResponseRequest(context, retrieve('resp_abc'))).toEqual({
      status: 200,
      body: { id: 'resp_abc', object: 'response' },
    });
    await sendStoredResponseRequest(context, { operation: 'delete', responseId: 'resp_abc' });
    await sendStoredResponseRequest(context, {
      operation: 'list-input-items',
      responseId: 'resp_abc',
      query: [
        ['limit', '2'],
        ['order', 'asc'],
        ['after', 'msg_1&x=y'],
        ['api_key', 'leak'],
        ['include[]', 'message.input_image.image_url'],
      ],
    });
    expect(sent.map((request) => [request.init.method, request.url])).toEqual([
      ['GET', 'https://api.example.test/v1/responses/resp_abc'],
      ['DELETE', 'https://api.example.test/v1/responses/resp_abc'],
      [
        'GET',
        'https://api.example.test/v1/responses/resp_abc/input_items?limit=2&order=asc&after=msg_1%26x%3Dy&include%5B%5D=message.input_image.image_url',
      ],
    ]);
    expect(sent.every((request) => request.init.redirect === 'manual')).toBe(true);
    expect((sent[0]?.init.headers as Record<string, string> | undefined)?.authorization).toBe(
      `Bearer ${KEY}`,
    );
  });

  it('never sends an id that is not a plain response id', async () => {
    const { sent, context } = contextWith(() => Response.json({}));
    for (const responseId of [
      '../models',
      'resp_../../models',
      'resp_a%2Fb',
      'resp_a/b',
      'resp_a?b=c',
      'resp_',
      '',
      'msg_abc',
      `resp_${'a'.repeat(300)}`,
      'resp_\u0000',
    ]) {
      const error = await failureOf(sendStoredResponseRequest(context, retrieve(responseId)));
      expect(error.code).toBe('invalid-request');
      expect(error.status).toBe(400);
    }
    expect(sent).toHaveLength(0);
  });

  it('answers undefined for the upstream 404 and maps refusals and failures to typed errors', async () => {
    const notFound = contextWith(() => Response.json({ error: { message: 'not found' } }, { status: 404 }));
    expect(await sendStoredResponseRequest(notFound.context, retrieve('resp_abc'))).toBeUndefined();

    const refused = contextWith(() =>
      Response.json(
        {
          error: {
            message: `bad limit for ${KEY}`,
            type: 'invalid_request_error',
            param: 'limit',
            code: 'x',
          },
        },
        { status: 400 },
      ),
    );
    const invalid = await failureOf(sendStoredResponseRequest(refused.context, retrieve('resp_abc')));
    expect(invalid).toMatchObject({ code: 'invalid-request', status: 400, isRetryable: false });
    expect(invalid.upstreamError).toMatchObject({ param: 'limit', code: 'x', type: 'invalid_request_error' });
    expect(invalid.upstreamError?.message).not.toContain(KEY);

    const broken = contextWith(() => new Response(`upstream broke ${KEY}`, { status: 500 }));
    const failed = await failureOf(sendStoredResponseRequest(broken.context, retrieve('resp_abc')));
    expect(failed).toMatchObject({ code: 'upstream-error', status: 500, isRetryable: true });

    const unauthorized = contextWith(() => Response.json({ error: { message: 'no' } }, { status: 401 }));
    expect(
      (await failureOf(sendStoredResponseRequest(unauthorized.context, retrieve('resp_abc')))).code,
    ).toBe('unauthorized');

    const redirect = contextWith(
      () => new Response(null, { status: 302, headers: { location: 'https://elsewhere.test/' } }),
    );
    const redirected = await failureOf(sendStoredResponseRequest(redirect.context, retrieve('resp_abc')));
    expect(redirected).toMatchObject({ code: 'upstream-error', status: 302 });
    expect(redirect.sent).toHaveLength(1);

    const notJson = contextWith(() => new Response('<html>', { status: 200 }));
    expect((await failureOf(sendStoredResponseRequest(notJson.context, retrieve('resp_abc')))).code).toBe(
      'upstream-error',
    );
  });

  it('stops reading an oversized answer, declared or streamed', async () => {
    const declared = contextWith(
      () =>
        new Response('{}', {
          status: 200,
          headers: { 'content-length': String(MAX_STORED_RESPONSE_BYTES + 1) },
        }),
    );
    const tooLarge = await failureOf(sendStoredResponseRequest(declared.context, retrieve('resp_abc')));
    expect(tooLarge.code).toBe('upstream-error');
    expect(tooLarge.message).toMatch(/larger than/);

    let chunksPulled = 0;
    const chunk = new Uint8Array(1024 * 1024).fill(32);
    const streamed = contextWith(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              chunksPulled += 1;
              controller.enqueue(chunk);
            },
          }),
          { status: 200 },
        ),
    );
    const endless = await failureOf(sendStoredResponseRequest(streamed.context, retrieve('resp_abc')));
    expect(endless.code).toBe('upstream-error');
    expect(chunksPulled).toBeLessThan(MAX_STORED_RESPONSE_BYTES / chunk.byteLength + 4);
  });

  it('gives up at its timeout, and at once when the caller aborts', async () => {
    const hanging = (request: SentRequest) =>
      new Promise<Response>((_resolve, reject) => {
        request.init.signal?.addEventListener('abort', () => reject(request.init.signal?.reason), {
          once: true,
        });
      });
    const slow = contextWith(hanging, 1);
    expect((await failureOf(sendStoredResponseRequest(slow.context, retrieve('resp_abc')))).code).toBe(
      'timeout',
    );

    const waiting = contextWith(hanging);
    const controller = new AbortController();
    const pending = sendStoredResponseRequest(waiting.context, {
      ...retrieve('resp_abc'),
      signal: controller.signal,
    });
    controller.abort();
    expect((await failureOf(pending)).code).toBe('aborted');
    const already = await failureOf(
      sendStoredResponseRequest(waiting.context, { ...retrieve('resp_abc'), signal: controller.signal }),
    );
    expect(already.code).toBe('aborted');
  });
});

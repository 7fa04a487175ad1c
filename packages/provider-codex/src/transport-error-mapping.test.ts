import { describe, expect, it } from 'vitest';
import { transportError } from './__fixtures__/fake-transport.js';
import { CodexProviderError } from './errors.js';
import {
  mapTransportError,
  quoteServerText,
  sentence,
  usageLimitMessage,
} from './transport-error-mapping.js';

const context = { backend: 'chatgpt' as const, model: 'gpt-5.4', now: 1_000_000 };

describe('mapTransportError', () => {
  it('maps a 401 missing scope to missing-scope with the reference advice', () => {
    const error = mapTransportError(
      transportError('401', {
        status: 401,
        serverMessage: 'Missing scopes: model.request',
      }),
      context,
    );
    expect(error.code).toBe('missing-scope');
    expect(error.message).toContain('model.request');
    expect(error.message).toContain('`gpt-5.4`');
    expect(error.message).toContain('codetether auth login');
    expect(error.status).toBe(401);
  });

  it('maps a 401 about the account id to missing-account-id', () => {
    const error = mapTransportError(
      transportError('401', { status: 401, serverMessage: 'Missing chatgpt-account-id header' }),
      context,
    );
    expect(error.code).toBe('missing-account-id');
    expect(error.message).toContain('codetether auth login --device-code');
  });

  it('says a rejected ChatGPT login is a login problem, not the API-key text the backend sends', () => {
    const error = mapTransportError(
      transportError('401', {
        status: 401,
        serverMessage:
          'Incorrect API key provided: eyJhbGci***. You can find your API key at https://platform.openai.com/account/api-keys.',
      }),
      context,
    );
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('did not accept your ChatGPT login');
    expect(error.message).toContain('codetether auth login');
    expect(error.message).not.toContain('platform.openai.com');
    expect(error.message).not.toContain('API key');
  });

  it('maps other 401s to unauthorized with advice per backend', () => {
    expect(mapTransportError(transportError('nope', { status: 401 }), context).message).toContain(
      'codetether auth login',
    );
    const api = mapTransportError(transportError('nope', { status: 401 }), {
      ...context,
      backend: 'openai',
    });
    expect(api.code).toBe('unauthorized');
    expect(api.message).toContain('OPENAI_API_KEY');
  });

  it('maps a usage limit with a friendly reset time, keeping the reset in epoch milliseconds', () => {
    const error = mapTransportError(
      transportError('limit', {
        status: 429,
        code: 'usage-limit-reached',
        resetsAt: context.now + 25 * 60_000,
        rateLimits: { planType: 'plus' },
      }),
      context,
    );
    expect(error.code).toBe('usage-limit-reached');
    expect(error.isRetryable).toBe(false);
    expect(error.resetsAt).toBe(context.now + 25 * 60_000);
    expect(error.message).toBe('You have hit your ChatGPT usage limit (plus plan). Try again in ~25 min.');
    expect(error.retryAfterMs).toBe(25 * 60_000);
  });

  it('prefers the plan of the error over the one of the last rate limits', () => {
    const error = mapTransportError(
      transportError('limit', {
        status: 429,
        code: 'usage-limit-reached',
        resetsAt: 1_700_000_000_000 + 90 * 60_000,
        planType: 'pro',
      }),
      { ...context, now: 1_700_000_000_000, planType: 'plus' },
    );
    expect(error.message).toBe('You have hit your ChatGPT usage limit (pro plan). Try again in ~90 min.');
  });

  it.each([
    // [now (epoch ms), resetsAt from the transport (epoch ms), expected minutes]
    [1_700_000_000_600, 1_700_000_000_600 + 30 * 60_000, 30],
    [1_700_000_000_400, 1_700_000_000_400 + 30 * 60_000, 30],
    [1_700_000_000_000, 1_700_000_000_000 + 29 * 60_000 + 30_000, 30],
    [1_700_000_000_000, 1_700_000_000_000 + 60 * 60_000 + 1, 61],
    [1_700_000_000_000, 1_700_000_000_000 + 1_000, 1],
    [1_700_000_000_000, 1_700_000_000_000 - 5_000, 1],
    [1_700_000_000_000, 1_700_000_000_000 + 300 * 60_000, 300],
  ])('says the exact minutes until the reset (now %d, resets %d → ~%d min)', (now, resetsAt, minutes) => {
    const error = mapTransportError(
      transportError('limit', { status: 429, code: 'usage-limit-reached', resetsAt }),
      { ...context, now },
    );
    expect(error.message).toBe(`You have hit your ChatGPT usage limit. Try again in ~${minutes} min.`);
    expect(error.resetsAt).toBe(resetsAt);
    expect(error.retryAfterMs).toBe(Math.max(1_000, resetsAt - now));
  });

  it('never doubles the final period when the server message already ends with punctuation', () => {
    const serverMessage =
      'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.';
    const api = mapTransportError(transportError('401', { status: 401, serverMessage }), {
      ...context,
      backend: 'openai',
    });
    expect(api.message).toContain(`(401): ${serverMessage} Check that`);
    const cases: Array<Record<string, unknown>> = [
      { status: 401 },
      { status: 403 },
      { status: 429 },
      { status: 500 },
      { status: 400 },
      { code: 'protocol' },
      { code: 'network' },
      { code: 'timeout-idle' },
    ];
    for (const fields of cases) {
      for (const text of ['Broken.', 'Broken!', 'Broken', 'Broken.  \n', '']) {
        for (const backend of ['chatgpt', 'openai'] as const) {
          const { message } = mapTransportError(transportError(text, { ...fields, serverMessage: text }), {
            ...context,
            backend,
          });
          expect(message, JSON.stringify({ fields, text })).not.toMatch(/[.!?]\.|\.\s*\.|: \.|\s{2}/);
          expect(message, JSON.stringify({ fields, text })).toMatch(/[.!?]$/);
          // Every message ends with what to do next.
          expect(message.split(/[.!?…] /).at(-1)).toMatch(/^(Run|Check|Wait|Try|Shorten|Create)\b/);
        }
      }
    }
  });

  it('removes the sent token, keys and bearer credentials from quoted server text', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';
    const error = mapTransportError(
      transportError('401', {
        status: 401,
        serverMessage: `bad token ${jwt}, key sk-proj-abcdef123456, header Bearer opaque-secret-42 and raw my-opaque-token`,
      }),
      { ...context, secrets: ['my-opaque-token'] },
    );
    for (const secret of [jwt, 'sk-proj-abcdef123456', 'opaque-secret-42', 'my-opaque-token']) {
      expect(error.message).not.toContain(secret);
    }
    expect(error.message).toContain('[redacted]');
  });

  it('does not repeat advice the transport message already gives', () => {
    const error = mapTransportError(
      transportError(
        'Could not reach http://127.0.0.1:9 (connect ECONNREFUSED 127.0.0.1:9) [ECONNREFUSED]. Check the network connection and the base URL, then try again.',
        { code: 'network' },
      ),
      { ...context, backend: 'openai' },
    );
    expect(error.message).toBe(
      'Could not reach the OpenAI API: Could not reach http://127.0.0.1:9 (connect ECONNREFUSED 127.0.0.1:9) [ECONNREFUSED]. Check the network connection and the base URL, then try again.',
    );
    expect(mapTransportError(transportError('socket hang up', { code: 'network' }), context).message).toBe(
      'Could not reach the ChatGPT backend: socket hang up. Check your network connection and the base URL, then try again.',
    );
  });

  it('says what a server that was reached sent instead of HTTP, keeping "Could not reach" for the rest', () => {
    const notHttp = mapTransportError(
      transportError('garbage', { code: 'network', serverReply: 'not-http' }),
      context,
    );
    expect(notHttp.code).toBe('network-error');
    expect(notHttp.message).toBe(
      "The server at the ChatGPT backend's base URL answered with something that is not HTTP: garbage. Check that the base URL (CODETETHER_CHATGPT_BASE_URL) points at the ChatGPT backend: scheme, host and port.",
    );
    const closed = mapTransportError(
      transportError('hung up', { code: 'network', serverReply: 'closed-without-answer' }),
      { ...context, backend: 'openai' },
    );
    expect(closed.message).toBe(
      "The server at the OpenAI API's base URL closed the connection without answering: hung up. Try again; if it keeps happening, check that the base URL (CODETETHER_OPENAI_BASE_URL) points at the OpenAI API.",
    );
    // Once the response started, the connection broke, whatever the transport says.
    expect(
      mapTransportError(transportError('garbage', { code: 'network', serverReply: 'not-http' }), {
        ...context,
        midStream: true,
      }).message,
    ).toMatch(/^The connection to the ChatGPT backend broke during the response/);
  });

  it('says the connection broke (not "could not reach") when the response had started', () => {
    const broken = mapTransportError(
      transportError(
        'The connection to http://127.0.0.1:9 broke in the middle of the response stream (other side closed) [UND_ERR_SOCKET]. Part of the answer was already delivered; send the request again to get a complete answer.',
        { code: 'network' },
      ),
      { ...context, backend: 'openai', midStream: true },
    );
    expect(broken.code).toBe('network-error');
    expect(broken.message).toBe(
      'The connection to the OpenAI API broke during the response: The connection to http://127.0.0.1:9 broke in the middle of the response stream (other side closed) [UND_ERR_SOCKET]. Part of the answer was already delivered; send the request again to get a complete answer.',
    );
    expect(
      mapTransportError(transportError('socket hang up', { code: 'network' }), {
        ...context,
        midStream: true,
      }).message,
    ).toBe(
      'The connection to the ChatGPT backend broke during the response: socket hang up. Check your network connection and send the request again.',
    );
  });

  it('truncates huge server text (an HTML error page from a proxy)', () => {
    const error = mapTransportError(
      transportError('502', { status: 502, serverMessage: `<html>${'x'.repeat(50_000)}</html>` }),
      context,
    );
    expect(error.message.length).toBeLessThan(500);
    expect(error.message).toMatch(/… Try again in a moment\.$/);
  });

  it('maps 429, 5xx, timeouts, aborts and network errors', () => {
    const rateLimited = mapTransportError(transportError('x', { status: 429, retryAfterMs: 2500 }), context);
    expect(rateLimited).toMatchObject({ code: 'rate-limited', retryAfterMs: 2500, isRetryable: true });
    expect(rateLimited.message).toContain('Wait about 3 s');
    expect(mapTransportError(transportError('x', { status: 503 }), context).code).toBe('upstream-error');
    expect(mapTransportError(transportError('x', { code: 'timeout-idle' }), context).code).toBe('timeout');
    expect(mapTransportError(transportError('x', { code: 'timeout-first-byte' }), context).code).toBe(
      'timeout',
    );
    expect(mapTransportError(transportError('x', { code: 'protocol' }), context).code).toBe('upstream-error');
    expect(mapTransportError(transportError('x', { code: 'aborted' }), context).code).toBe('aborted');
    const abortError = new Error('aborted');
    abortError.name = 'AbortError';
    expect(mapTransportError(abortError, context).code).toBe('aborted');
    expect(mapTransportError(transportError('ECONNREFUSED', { code: 'network' }), context).code).toBe(
      'network-error',
    );
    expect(mapTransportError(new Error('an injected transport failed'), context)).toMatchObject({
      code: 'network-error',
      isRetryable: true,
    });
    expect(mapTransportError(transportError('1009', { code: 'message-too-big' }), context).message).toContain(
      'CODETETHER_TRANSPORT=http',
    );
    expect(
      mapTransportError(transportError('closed', { code: 'transport-closed' }), context).message,
    ).toContain('Create a new provider');
    expect(mapTransportError(transportError('bad', { status: 400 }), context).code).toBe('invalid-request');
  });

  it("keeps the server's message, type, code and param of a 4xx, and names the param in the advice", () => {
    const mapped = mapTransportError(
      transportError('400', {
        status: 400,
        serverMessage: "Previous response with id 'resp_1' not found.",
        errorType: 'invalid_request_error',
        errorCode: 'previous_response_not_found',
        errorParam: 'previous_response_id',
      }),
      context,
    );
    expect(mapped.code).toBe('invalid-request');
    expect(mapped.upstreamError).toEqual({
      message: "Previous response with id 'resp_1' not found.",
      type: 'invalid_request_error',
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
    expect(mapped.message).toContain("Check 'previous_response_id'.");
    expect(mapped.message).not.toContain('model name');
  });

  it('maps a request the transport refused to send (bad URL or header) to invalid-request, not a network error', () => {
    const mapped = mapTransportError(
      transportError('The header "x-custom" has a line break.', { code: 'invalid-request' }),
      context,
    );
    expect(mapped.code).toBe('invalid-request');
    expect(mapped.isRetryable).toBe(false);
    expect(mapped.message).toContain('could not be sent');
    expect(mapped.message).toContain('CODETETHER_CHATGPT_BASE_URL');
  });

  it('passes provider errors through unchanged', () => {
    const original = new CodexProviderError('aborted', 'x');
    expect(mapTransportError(original, context)).toBe(original);
  });
});

describe('sentence and quoteServerText', () => {
  it('ends with exactly one punctuation mark', () => {
    expect(sentence('Failed', 'boom')).toBe('Failed: boom.');
    expect(sentence('Failed', 'boom.')).toBe('Failed: boom.');
    expect(sentence('Failed', 'boom?')).toBe('Failed: boom?');
    expect(sentence('Failed', '')).toBe('Failed.');
    expect(sentence('Failed')).toBe('Failed.');
    expect(quoteServerText('  a\n\n b  ')).toBe('a b');
    expect(quoteServerText('using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).')).toBe(
      'using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).',
    );
    expect(quoteServerText('got Bearer abcdefghijklmnop123')).toBe('got Bearer [redacted]');
    expect(quoteServerText('key sk-proj-abcdef123456 and x'.repeat(20)).length).toBeLessThanOrEqual(301);
  });
});

describe('usageLimitMessage', () => {
  it('handles a missing plan and reset time', () => {
    expect(usageLimitMessage({ now: 0 })).toBe('You have hit your ChatGPT usage limit. Try again later.');
    expect(usageLimitMessage({ now: 0, resetsAt: 10_000 })).toBe(
      'You have hit your ChatGPT usage limit. Try again in ~1 min.',
    );
  });
});

describe('a model the backend refuses', () => {
  it('is unsupported-model naming the plan and the models of the live list', () => {
    const error = mapTransportError(
      transportError("The 'gpt-5.4' model is not supported when using Codex with a ChatGPT account.", {
        status: 400,
        errorCode: 'model_not_supported',
      }),
      { backend: 'chatgpt', model: 'gpt-5.4', now: 0, planType: 'free', supportedModels: ['gpt-5.4-mini'] },
    );
    expect(error.code).toBe('unsupported-model');
    expect(error.message).toContain("refused model 'gpt-5.4' (free plan)");
    expect(error.message).toContain('Supported models: gpt-5.4-mini.');
  });

  it('names at most 40 models of a huge live list', () => {
    const supportedModels = Array.from({ length: 1_000 }, (_unused, index) => `gpt-${index}`);
    const error = mapTransportError(
      transportError('not supported', { status: 400, errorCode: 'model_not_supported' }),
      { backend: 'chatgpt', model: 'gpt-5.4', now: 0, supportedModels },
    );
    expect(error.message).toContain('Supported models: gpt-0, gpt-1,');
    expect(error.message).toContain('gpt-39 and 960 more.');
    expect(error.message).not.toContain('gpt-40,');
  });
});

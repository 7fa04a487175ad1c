import { CodexProviderError, type StoredResponseRequest } from '@codetether/provider-codex';
import { describe, expect, it } from 'vitest';
import { createFakeGateway } from './__fixtures__/fake-gateway.js';

/** A gateway whose provider answers stored-response requests with `answer`. */
function gatewayForwardingTo(answer: (request: StoredResponseRequest) => Promise<unknown>) {
  const fake = createFakeGateway();
  const sent: StoredResponseRequest[] = [];
  Object.assign(fake.provider, {
    requestStoredResponse: (request: StoredResponseRequest) => {
      sent.push(request);
      return answer(request);
    },
  });
  return { ...fake, sent };
}

async function errorOf(answer: Response): Promise<{ status: number; error: Record<string, unknown> }> {
  return {
    status: answer.status,
    error: ((await answer.json()) as { error: Record<string, unknown> }).error,
  };
}

describe('stored responses the gateway forwards upstream', () => {
  it('forwards the operation, the query and the request signal, and relays the answer', async () => {
    const { call, sent } = gatewayForwardingTo(async () => ({
      status: 200,
      body: { object: 'list', data: [], first_id: null, last_id: null, has_more: false },
    }));
    const answer = await call('/v1/responses/resp_up/input_items?limit=5&order=asc&after=msg_1');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ object: 'list', has_more: false });
    expect(sent[0]).toMatchObject({
      operation: 'list-input-items',
      responseId: 'resp_up',
      query: [
        ['limit', '5'],
        ['order', 'asc'],
        ['after', 'msg_1'],
      ],
    });
    expect(sent[0]?.signal).toBeInstanceOf(AbortSignal);
    expect((await call('/v1/responses/resp_up', { method: 'DELETE' })).status).toBe(200);
    expect(sent[1]?.operation).toBe('delete');
    // Streaming a retrieve is refused before anything is forwarded.
    expect((await call('/v1/responses/resp_up?stream=true')).status).toBe(400);
    expect(sent).toHaveLength(2);
  });

  it('answers the 404 for an id the upstream does not know, and never forwards odd ids', async () => {
    const { call, sent } = gatewayForwardingTo(async () => undefined);
    expect(await errorOf(await call('/v1/responses/resp_gone'))).toEqual({
      status: 404,
      error: {
        message: "Response with id 'resp_gone' not found.",
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    expect(sent).toHaveLength(1);
    for (const path of [
      '/v1/responses/..%2Fmodels',
      '/v1/responses/resp_a%2Fb',
      '/v1/responses/%2E%2E/input_items',
      `/v1/responses/resp_${'a'.repeat(5000)}`,
      '/v1/responses/resp_a%20b',
      '/v1/responses/msg_abc',
    ]) {
      const answer = await call(path);
      expect(answer.status, path).toBe(404);
      expect(((await answer.json()) as { error: { message: string } }).error.message.length).toBeLessThan(
        200,
      );
    }
    expect(sent).toHaveLength(1);
  });

  it('maps upstream failures to OpenAI errors without hanging', async () => {
    const failures: [CodexProviderError, number, string][] = [
      [
        new CodexProviderError('upstream-error', 'The OpenAI API failed (500).', { status: 500 }),
        502,
        'server_error',
      ],
      [new CodexProviderError('timeout', 'The OpenAI API did not answer in time.'), 504, 'timeout_error'],
      [
        new CodexProviderError(
          'upstream-error',
          'The answer is larger than 33554432 bytes; it was not read.',
          {
            isRetryable: false,
          },
        ),
        502,
        'server_error',
      ],
      [
        new CodexProviderError('unauthorized', 'The OpenAI API refused the API key (401).', { status: 401 }),
        401,
        'authentication_error',
      ],
      [new CodexProviderError('network-error', 'The OpenAI API could not be reached.'), 502, 'server_error'],
    ];
    for (const [failure, status, type] of failures) {
      const { call } = gatewayForwardingTo(async () => {
        throw failure;
      });
      const answer = await errorOf(await call('/v1/responses/resp_x'));
      expect(answer.status, failure.code).toBe(status);
      expect(answer.error.type).toBe(type);
      expect(answer.error.message).toBe(failure.message);
    }
    const { call } = gatewayForwardingTo(async () => {
      throw new CodexProviderError('invalid-request', 'The OpenAI API refused the request (400).', {
        status: 400,
        upstreamError: {
          message: "Invalid 'limit'.",
          type: 'invalid_request_error',
          param: 'limit',
          code: 'x',
        },
      });
    });
    expect(await errorOf(await call('/v1/responses/resp_x/input_items?limit=0'))).toEqual({
      status: 400,
      error: { message: "Invalid 'limit'.", type: 'invalid_request_error', param: 'limit', code: 'x' },
    });
  });
});

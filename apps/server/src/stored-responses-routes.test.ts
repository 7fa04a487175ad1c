import { describe, expect, it } from 'vitest';
import { createFakeGateway } from './__fixtures__/fake-gateway.js';
import type { OpenApiDocument } from './openapi-document.js';

describe('the /v1/responses/{id} routes', () => {
  it('are described in /openapi.json with their query parameters', async () => {
    const { call } = createFakeGateway();
    const document = (await (await call('/openapi.json', { key: null })).json()) as OpenApiDocument;
    const responsePath = document.paths['/v1/responses/{responseId}'];
    expect(Object.keys(responsePath ?? {}).sort()).toEqual(['delete', 'get']);
    const list = document.paths['/v1/responses/{responseId}/input_items']?.get as {
      parameters: { name: string; in: string; schema: Record<string, unknown> }[];
    };
    expect(list.parameters.map(({ name, in: place }) => `${place}:${name}`)).toEqual([
      'path:responseId',
      'query:limit',
      'query:order',
      'query:after',
      'query:before',
    ]);
    expect(list.parameters[1]?.schema).toMatchObject({ minimum: 1, maximum: 100, default: 20 });
    expect(document.paths['/v1/responses/{responseId}/cancel']?.post).toMatchObject({
      operationId: 'cancelResponse',
    });
  });

  it('answer 404 for every id when continuation is off, and 405 for other methods', async () => {
    const { call } = createFakeGateway(undefined, { continuation: false });
    for (const [method, path] of [
      ['GET', '/v1/responses/resp_1'],
      ['GET', '/v1/responses/resp_1/input_items'],
      ['DELETE', '/v1/responses/resp_1'],
      ['POST', '/v1/responses/resp_1/cancel'],
    ] as const) {
      const answer = await call(path, { method });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(await answer.json()).toEqual({
        error: {
          message: "Response with id 'resp_1' not found.",
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    }
    const put = await call('/v1/responses/resp_1', { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, DELETE');
    expect((await call('/v1/responses/resp_1', { method: 'DELETE', key: null })).status).toBe(401);
  });
});

import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFakeGateway } from './__fixtures__/fake-gateway.js';
import { chatCompletionRequestSchema } from './chat-completion-request-schema.js';
import type { GatewayContext } from './gateway-context.js';
import { createGatewayRouteTable } from './gateway-route-table.js';
import type { OpenApiDocument } from './openapi-document.js';

const ROUTES = createGatewayRouteTable({} as GatewayContext, { isDraining: () => false });

async function fetchDocument(): Promise<OpenApiDocument> {
  const { call } = createFakeGateway();
  const response = await call('/openapi.json', { key: null });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return JSON.parse(await response.text()) as OpenApiDocument;
}

function compileComponent(document: OpenApiDocument, name: string) {
  const schema = document.components.schemas[name];
  if (schema === undefined) throw new Error(`no component schema ${name}`);
  return new Ajv2020({ strict: true, allErrors: true }).compile(schema);
}

/** The request path of a route pattern, with a sample value for each parameter. */
function samplePath(path: string): string {
  return path.replace(/:[^/]+/g, 'gpt-5.4');
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document describing every route of the table, with its methods', async () => {
    const document = await fetchDocument();
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const route of ROUTES) {
      const path = route.path.replace(/:([^/]+)/g, '{$1}');
      for (const method of route.methods) {
        expect(document.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toMatchObject({
          operationId: route.documentation?.operationId,
          summary: route.documentation?.summary,
        });
      }
    }
    const operations = Object.values(document.paths).flatMap((methods) => Object.keys(methods));
    expect(operations).toHaveLength(ROUTES.flatMap((route) => route.methods).length);
  });

  it('asks for the key exactly where the gateway does', async () => {
    const document = await fetchDocument();
    const { call } = createFakeGateway();
    for (const route of ROUTES) {
      const path = route.path.replace(/:([^/]+)/g, '{$1}');
      for (const method of route.methods) {
        const operation = document.paths[path]?.[method.toLowerCase()] as { security: unknown[] };
        const response = await call(samplePath(route.path), { method, key: null });
        expect(response.status === 401, `${method} ${route.path}`).toBe(operation.security.length > 0);
      }
    }
    expect(document.components.securitySchemes.serverApiKey).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('references only schemas it defines, each a valid JSON Schema 2020-12', async () => {
    const document = await fetchDocument();
    const text = JSON.stringify(document);
    for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(document.components.schemas, `$ref ${name}`).toHaveProperty(name ?? '');
    }
    expect(text).not.toContain('"$ref":"#/$defs');
    for (const name of Object.keys(document.components.schemas)) compileComponent(document, name);
  });

  it("describes the answers the gateway sends: models, health and OpenAI's error body", async () => {
    const document = await fetchDocument();
    const { call } = createFakeGateway();
    const cases: [string, string | null, string][] = [
      ['/v1/models', 'ctsk-test-key', 'ListModelsResponse'],
      ['/v1/models/gpt-5.4', 'ctsk-test-key', 'RetrieveModelResponse'],
      ['/healthz', null, 'GetHealthResponse'],
      ['/v1/models', null, 'ErrorBody'],
      ['/v1/models/nope', 'ctsk-test-key', 'ErrorBody'],
    ];
    for (const [path, key, schemaName] of cases) {
      const validate = compileComponent(document, schemaName);
      const body: unknown = await (await call(path, { key })).json();
      expect(validate(body), `${path} as ${schemaName}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});

describe('the chat completions request schema in the document', () => {
  const chatRoute = ROUTES.find((route) => route.path === '/v1/chat/completions');

  it('is the zod schema the handler validates with', () => {
    expect(chatRoute?.documentation?.requestBody).toBe(chatCompletionRequestSchema);
  });

  it('accepts and refuses the same bodies as the gateway', async () => {
    const validate = compileComponent(await fetchDocument(), 'CreateChatCompletionRequest');
    const values = fc.oneof(
      fc.constantFrom(
        null,
        true,
        0,
        -1,
        1,
        1.5,
        2.5,
        '',
        'x',
        'gpt-5.4',
        'low',
        'extreme',
        'auto',
        'required',
      ),
      fc.constantFrom([], {}, [{}], [{ role: 'user', content: 'Hi' }], [{ role: 'robot', content: 'x' }]),
      fc.constantFrom(
        [{ role: 'tool', content: 'x' }],
        [{ role: 'tool', tool_call_id: 'c', content: [{ type: 'text', text: 't' }] }],
        [
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{}' } }],
          },
        ],
        [{ role: 'user', content: [{ type: 'image_url', image_url: { url: '' } }] }],
        [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,' } }] }],
        [{ type: 'function', function: { name: 'bad name!' } }],
        [{ type: 'function', function: { name: 'ok_name', parameters: { type: 'object' } } }],
        { type: 'function', function: { name: 'f' } },
        { include_usage: true },
        { include_usage: 'yes' },
      ),
    );
    const fields = fc.constantFrom(
      'model',
      'messages',
      'tools',
      'tool_choice',
      'reasoning_effort',
      'max_tokens',
      'max_completion_tokens',
      'temperature',
      'n',
      'stream',
      'stream_options',
      'seed',
    );
    const body = fc
      .array(fc.tuple(fields, fc.option(values, { nil: undefined })), { maxLength: 4 })
      .map((changes) => {
        const result: Record<string, unknown> = {
          model: 'gpt-5.4',
          messages: [{ role: 'user', content: 'Hi' }],
        };
        for (const [field, value] of changes) {
          if (value === undefined) delete result[field];
          else result[field] = value;
        }
        return result;
      });
    fc.assert(
      fc.property(body, (candidate) => {
        expect(validate(candidate), JSON.stringify(candidate)).toBe(
          chatCompletionRequestSchema.safeParse(candidate).success,
        );
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what the gateway answers with 400 naming the field', async () => {
    const validate = compileComponent(await fetchDocument(), 'CreateChatCompletionRequest');
    const { call } = createFakeGateway();
    const invalid = [
      { messages: [{ role: 'user', content: 'x' }] },
      { model: 'gpt-5.4', messages: [] },
      { model: 'gpt-5.4', messages: [{ role: 'robot', content: 'x' }] },
      { model: 'gpt-5.4', messages: [{ role: 'user', content: 'x' }], temperature: 3 },
    ];
    for (const json of invalid) {
      expect(validate(json), JSON.stringify(json)).toBe(false);
      const response = await call('/v1/chat/completions', { json });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    }
  });
});

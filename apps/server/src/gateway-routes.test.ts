import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  createErrorBodyFormatter,
  createRouteLabeler,
  type GatewayEnvironment,
  type GatewayRoute,
  registerRoutes,
  UNMATCHED_ROUTE_LABEL,
} from './gateway-routes.js';
import { GatewayError } from './openai-error.js';

const echo: GatewayRoute['handler'] = (c, request) => c.json({ method: c.req.method, ...request });

const ROUTES: GatewayRoute[] = [
  { path: '/v1/responses', methods: ['POST'], handler: echo },
  { path: '/v1/responses', methods: ['GET'], handler: echo, metricsLabel: '/v1/responses' },
  { path: '/v1/models/:model', methods: ['GET'], handler: echo },
  { path: '/api/tags', methods: ['GET'], handler: echo, metricsLabel: 'ollama tags' },
];

function createApp(): Hono<GatewayEnvironment> {
  const app = new Hono<GatewayEnvironment>();
  app.use('*', async (c, next) => {
    c.set('startedAt', 42);
    await next();
  });
  app.onError((error) =>
    error instanceof GatewayError
      ? Response.json(error.toBody(), { status: error.status, headers: error.toHeaders() })
      : new Response('unexpected', { status: 500 }),
  );
  registerRoutes(app, ROUTES);
  return app;
}

describe('the route table', () => {
  it('labels paths by their route pattern, and anything else as other', () => {
    const labelOf = createRouteLabeler(ROUTES);
    expect(labelOf('/v1/responses')).toBe('/v1/responses');
    expect(labelOf('/v1/models/gpt-5.4')).toBe('/v1/models/:model');
    expect(labelOf('/api/tags')).toBe('ollama tags');
    expect(labelOf('/v1/models/a/b')).toBe(UNMATCHED_ROUTE_LABEL);
    expect(labelOf('/v1/responsesX')).toBe(UNMATCHED_ROUTE_LABEL);
  });

  it('hands each handler its label and arrival time; GET routes answer HEAD', async () => {
    const app = createApp();
    const response = await app.request('/v1/models/gpt-5.4');
    expect(await response.json()).toEqual({ method: 'GET', startedAt: 42, route: '/v1/models/:model' });
    expect((await app.request('/v1/models/gpt-5.4', { method: 'HEAD' })).status).toBe(200);
    const posted = await app.request('/v1/responses', { method: 'POST' });
    expect(await posted.json()).toMatchObject({ method: 'POST', route: '/v1/responses' });
  });

  it("writes an unknown path's error in the shape of the routes beside it (a dialect's), else OpenAI's", () => {
    const anthropic = (error: GatewayError) => ({ anthropic: error.message });
    const ollama = (error: GatewayError) => ({ ollama: error.message });
    const errorBodyOf = createErrorBodyFormatter([
      { path: '/v1/chat/completions', methods: ['POST'], handler: echo },
      { path: '/v1/messages', methods: ['POST'], handler: echo, errorBody: anthropic },
      { path: '/v1/messages/count_tokens', methods: ['POST'], handler: echo, errorBody: anthropic },
      { path: '/api/chat', methods: ['POST'], handler: echo, errorBody: ollama },
      { path: '/api/tags', methods: ['GET'], handler: echo, errorBody: ollama },
    ]);
    const error = new GatewayError(404, 'invalid_request_error', 'Unknown endpoint.');
    expect(errorBodyOf('/api/chat', error)).toEqual({ ollama: 'Unknown endpoint.' });
    // Ollama's API lives under /api: its clients read a string `error` there.
    expect(errorBodyOf('/api/pull', error)).toEqual({ ollama: 'Unknown endpoint.' });
    expect(errorBodyOf('/api/blobs/sha256:abc', error)).toEqual({ ollama: 'Unknown endpoint.' });
    expect(errorBodyOf('/v1/messages/batches', error)).toEqual({ anthropic: 'Unknown endpoint.' });
    // Beside routes of several shapes, or none: OpenAI's.
    expect(errorBodyOf('/v1/files', error)).toEqual(error.toBody());
    expect(errorBodyOf('/v1/chat/completions/x/y', error)).toEqual(error.toBody());
    expect(errorBodyOf('/elsewhere', error)).toEqual(error.toBody());
  });

  it('answers other methods with 405 and every method of the path in Allow', async () => {
    const app = createApp();
    const response = await app.request('/v1/responses', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, GET, HEAD');
    expect(await response.json()).toMatchObject({
      error: {
        code: 'method_not_allowed',
        message: 'Method DELETE is not allowed on /v1/responses. Use POST, GET, HEAD.',
      },
    });
    expect((await app.request('/v1/models/x', { method: 'POST' })).headers.get('allow')).toBe('GET, HEAD');
  });
});

import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createRequestBodyLimit } from './request-body-limit.js';

class TooLarge extends Error {}

function createApp(maxBytes: number): Hono {
  const app = new Hono();
  app.use(
    '*',
    createRequestBodyLimit(maxBytes, () => {
      throw new TooLarge('too large');
    }),
  );
  app.onError((error, c) =>
    c.text(error instanceof TooLarge ? 'too large' : 'failed', error instanceof TooLarge ? 413 : 500),
  );
  app.post('/', async (c) => c.text(`read ${(await c.req.text()).length}`));
  app.get('/', (c) => c.text('ok'));
  return app;
}

const post = (body: string, headers: Record<string, string> = {}): Request =>
  new Request('http://gateway.test/', { method: 'POST', body, headers });

describe('createRequestBodyLimit', () => {
  it('checks a declared Content-Length without reading the body', async () => {
    const app = createApp(10);
    const over = await app.fetch(post('x'.repeat(11), { 'content-length': '11' }));
    expect(over.status).toBe(413);
    const within = await app.fetch(post('x'.repeat(10), { 'content-length': '10' }));
    expect(await within.text()).toBe('read 10');
  });

  it('counts a body without Content-Length as it is read', async () => {
    const app = createApp(10);
    expect((await app.fetch(post('x'.repeat(11)))).status).toBe(413);
    expect(await (await app.fetch(post('x'.repeat(10)))).text()).toBe('read 10');
  });

  it('lets bodiless GET requests through', async () => {
    expect(await (await createApp(0).fetch(new Request('http://gateway.test/'))).text()).toBe('ok');
  });
});

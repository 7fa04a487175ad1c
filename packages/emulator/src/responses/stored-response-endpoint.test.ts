import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiKeyHeaders, chatgptHeaders } from '../__fixtures__/emulator-client.js';
import { startEmulator } from '../server.js';
import type { Emulator } from '../types.js';
import { STORED_RESPONSES_PER_ACCOUNT } from './stored-responses.js';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator();
});

afterEach(async () => {
  await emulator.close();
});

async function create(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const answer = await fetch(`${emulator.openaiBaseUrl}/responses`, {
    method: 'POST',
    headers: { ...apiKeyHeaders(emulator), 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-5.4', ...body }),
  });
  expect(answer.status).toBe(200);
  return (await answer.json()) as Record<string, unknown>;
}

async function call(
  path: string,
  method = 'GET',
  headers: Record<string, string> = apiKeyHeaders(emulator),
): Promise<{ status: number; json: Record<string, unknown> }> {
  const answer = await fetch(`${emulator.openaiBaseUrl}${path}`, { method, headers });
  return { status: answer.status, json: (await answer.json()) as Record<string, unknown> };
}

describe('stored responses of the OpenAI API (store: true)', () => {
  it('retrieves, lists the input items of and deletes a stored response', async () => {
    const created = await create({
      store: true,
      input: [
        { role: 'user', content: 'one' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'two' }], id: 'msg_own' },
      ],
    });
    const id = String(created.id);
    expect(await call(`/responses/${id}`)).toEqual({ status: 200, json: created });

    const page = await call(`/responses/${id}/input_items?order=asc&limit=1`);
    expect(page.status).toBe(200);
    expect(page.json).toMatchObject({
      object: 'list',
      has_more: true,
      data: [{ role: 'user', content: 'one' }],
    });
    const second = await call(`/responses/${id}/input_items?order=asc&after=${String(page.json.last_id)}`);
    expect(second.json).toMatchObject({ has_more: false, first_id: 'msg_own', last_id: 'msg_own' });
    expect((await call(`/responses/${id}/input_items`)).json.first_id).toBe('msg_own');
    expect((await call(`/responses/${id}/input_items?limit=0`)).status).toBe(400);
    expect((await call(`/responses/${id}/input_items?after=msg_unknown`)).json).toMatchObject({
      error: { param: 'after' },
    });

    expect(await call(`/responses/${id}`, 'DELETE')).toEqual({
      status: 200,
      json: { id, object: 'response', deleted: true },
    });
    const gone = await call(`/responses/${id}`);
    expect(gone).toEqual({
      status: 404,
      json: {
        error: {
          message: `Response with id '${id}' not found.`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    });
    expect((await call(`/responses/${id}`, 'DELETE')).status).toBe(404);
    expect((await call(`/responses/${id}/input_items`)).status).toBe(404);
  });

  it('keeps nothing without store: true, needs an API key, and refuses other methods', async () => {
    const unstored = await create({ input: 'not kept' });
    expect((await call(`/responses/${String(unstored.id)}`)).status).toBe(404);
    const stored = await create({ store: true, input: 'kept' });
    const path = `/responses/${String(stored.id)}`;
    expect((await call(path, 'GET', {})).status).toBe(401);
    expect((await call(path, 'GET', { authorization: 'Bearer sk-not-issued' })).status).toBe(401);
    expect((await call(path, 'GET', chatgptHeaders(emulator))).status).toBe(401);
    expect((await call(path, 'PUT')).status).toBe(405);
    expect((await call(`${path}/input_items`, 'DELETE')).status).toBe(405);
    for (const tricky of ['%2E%2E', 'resp_%2F..%2Fmodels', `resp_${'a'.repeat(5000)}`, '%E0%A4%A']) {
      const answer = await call(`/responses/${tricky}`);
      expect(answer.status, tricky).toBe(404);
      expect(String((answer.json.error as { message: string }).message).length).toBeLessThan(200);
    }
  });

  it('keeps a bounded number of stored responses', async () => {
    const first = await create({ store: true, input: 'first' });
    for (let count = 0; count < STORED_RESPONSES_PER_ACCOUNT; count += 1)
      await create({ store: true, input: 'more' });
    expect((await call(`/responses/${String(first.id)}`)).status).toBe(404);
  });
});

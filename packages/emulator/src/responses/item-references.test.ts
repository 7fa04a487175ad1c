import { describe, expect, it } from 'vitest';
import {
  apiKeyHeaders,
  chatgptHeaders,
  outputItems,
  postResponses,
  userInput,
} from '../__fixtures__/emulator-client.js';
import { startEmulatorPerTest } from '../__fixtures__/emulator-per-test.js';

const harness = startEmulatorPerTest();
const emulator = () => harness.emulator;

const NOT_PERSISTED =
  /^Item with id 'rs_abc' not found\. Items are not persisted when `store` is set to false\./;

describe('item_reference input items', () => {
  it('are a 404 on the ChatGPT backend, which keeps no items (store is always false)', async () => {
    const answer = await postResponses(`${emulator().chatgptBaseUrl}/responses`, chatgptHeaders(emulator()), {
      model: 'gpt-5.4',
      store: false,
      input: [...userInput('hi'), { type: 'item_reference', id: 'rs_abc' }],
    });
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({
      error: {
        type: 'invalid_request_error',
        param: 'input',
        code: null,
        message: expect.stringMatching(NOT_PERSISTED),
      },
    });
  });

  it('are a 404 on the OpenAI API without store: true, and a 400 without an id', async () => {
    const url = `${emulator().openaiBaseUrl}/responses`;
    const notStored = await postResponses(url, apiKeyHeaders(emulator()), {
      model: 'gpt-5.4',
      input: [{ type: 'item_reference', id: 'rs_abc' }],
    });
    expect(notStored.status).toBe(404);
    expect(notStored.json).toMatchObject({ error: { message: expect.stringMatching(NOT_PERSISTED) } });
    const noId = await postResponses(url, apiKeyHeaders(emulator()), {
      model: 'gpt-5.4',
      input: [...userInput('hi'), { type: 'item_reference' }],
    });
    expect(noId.status).toBe(400);
    expect(noId.json).toMatchObject({ error: { param: 'input[1].id', code: 'missing_required_parameter' } });
  });

  it('name an item of a stored response on the OpenAI API with store: true; an unknown id is a 404', async () => {
    const url = `${emulator().openaiBaseUrl}/responses`;
    const first = await postResponses(url, apiKeyHeaders(emulator()), {
      model: 'gpt-5.4',
      store: true,
      stream: true,
      input: userInput('[scenario:text] hi'),
    });
    const itemId = outputItems(first.events)[0]?.id;
    expect(itemId).toEqual(expect.any(String));
    const referencing = await postResponses(url, apiKeyHeaders(emulator()), {
      model: 'gpt-5.4',
      store: true,
      input: [
        ...userInput('hi'),
        { type: 'item_reference', id: itemId },
        ...userInput('[scenario:text] more'),
      ],
    });
    expect(referencing.status).toBe(200);
    const unknown = await postResponses(url, apiKeyHeaders(emulator()), {
      model: 'gpt-5.4',
      store: true,
      input: [{ type: 'item_reference', id: 'msg_unknown' }],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({
      error: { message: "Item with id 'msg_unknown' not found.", param: 'input' },
    });
  });
});

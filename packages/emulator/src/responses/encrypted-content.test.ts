import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  apiKeyHeaders,
  chatgptHeaders,
  errorEventOf,
  outputItems,
  outputText,
  postResponses,
  userInput,
} from '../__fixtures__/emulator-client.js';
import { startEmulatorPerTest } from '../__fixtures__/emulator-per-test.js';
import { startEmulator } from '../server.js';
import {
  createEncryptedContentSealer,
  findUnverifiableContent,
  unverifiableContentError,
} from './encrypted-content.js';
import { TEXT_ANSWER } from './scenario-plan.js';

describe('the sealer', () => {
  const sealer = createEncryptedContentSealer(randomBytes(32), () => 1_764_000_000_000);

  it('issues opaque gAAAAA… values it can open again', () => {
    const value = sealer.seal({ kind: 'reasoning', summary: 'thinking' });
    expect(value).toMatch(/^gAAAAA[A-Za-z0-9_-]+$/);
    expect(sealer.open(value)).toEqual({ kind: 'reasoning', summary: 'thinking' });
  });

  it('refuses edited values, values of another emulator and anything that is not one', () => {
    const value = sealer.seal({ kind: 'compaction', summary: 'history' });
    const flipped = `${value.slice(0, 20)}${value[20] === 'A' ? 'B' : 'A'}${value.slice(21)}`;
    const lastEdited = `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;
    const other = createEncryptedContentSealer(randomBytes(32), Date.now).seal({
      kind: 'compaction',
      summary: 'history',
    });
    for (const bad of [
      flipped,
      lastEdited,
      value.slice(0, -2),
      other,
      '',
      'gAAAAA',
      'not base64!',
      42,
      {},
      null,
      'x'.repeat(2_000_000),
    ]) {
      expect(sealer.open(bad)).toBeUndefined();
    }
  });

  it('finds the first item carrying content it did not issue, for the item type', () => {
    const reasoning = sealer.seal({ kind: 'reasoning', summary: 's' });
    const compaction = sealer.seal({ kind: 'compaction', summary: 'c' });
    const good = [
      { type: 'reasoning', summary: [], encrypted_content: reasoning },
      { type: 'reasoning', summary: [], encrypted_content: null },
      { type: 'compaction', encrypted_content: compaction },
      'not an item',
      { type: 'message', role: 'user', content: 'hi' },
    ];
    expect(findUnverifiableContent(good, sealer)).toBeUndefined();
    expect(
      findUnverifiableContent([...good, { type: 'reasoning', encrypted_content: compaction }], sealer),
    ).toEqual({
      index: 5,
      value: compaction,
    });
    expect(findUnverifiableContent([{ type: 'reasoning', encrypted_content: 7 }], sealer)).toEqual({
      index: 0,
      value: 7,
    });
  });

  it('words the error like the real service, shortening the value', () => {
    expect(unverifiableContentError(`gAAAAAB${'x'.repeat(500)}5Q==`)).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'invalid_encrypted_content',
        param: 'input',
        message:
          'The encrypted content gAAAAABx...5Q== could not be verified. Reason: Encrypted content could not be decrypted or parsed.',
      },
    });
    expect(unverifiableContentError({ a: 1 }).error.message).toContain('{"a":1}');
  });
});

describe('reasoning items across turns (store: false)', () => {
  const harness = startEmulatorPerTest({ scenario: 'reasoning' });
  const emulator = () => harness.emulator;

  const post = (body: Record<string, unknown>) =>
    postResponses(`${emulator().chatgptBaseUrl}/responses`, chatgptHeaders(emulator()), {
      model: 'gpt-5.4',
      stream: true,
      store: false,
      ...body,
    });

  it('carry encrypted_content only when include asks for it', async () => {
    const plain = outputItems((await post({ input: userInput('think') })).events);
    expect(plain[0]).toMatchObject({ type: 'reasoning' });
    expect(plain[0]).not.toHaveProperty('encrypted_content');
    const included = outputItems(
      (await post({ input: userInput('think'), include: ['reasoning.encrypted_content'] })).events,
    );
    expect(included[0]).toMatchObject({
      type: 'reasoning',
      encrypted_content: expect.stringMatching(/^gAAAAA/),
    });
  });

  it('are accepted back without their id, and refused when edited (400 invalid_encrypted_content)', async () => {
    const first = await post({ input: userInput('think'), include: ['reasoning.encrypted_content'] });
    const [reasoning, message] = outputItems(first.events);
    const { id: _id, ...withoutId } = reasoning ?? {};
    const history = [...userInput('think'), withoutId, message, ...userInput('again')];
    const second = await post({ input: history, include: ['reasoning.encrypted_content'] });
    expect(second.status).toBe(200);
    expect(outputText(second.events)).toBe(TEXT_ANSWER);

    const value = String(withoutId.encrypted_content);
    // Edit the third character from the end to a different one (never to itself: that was a 1-in-64 flake).
    const tampered = `${value.slice(0, -3)}${value.at(-3) === 'A' ? 'B' : 'A'}${value.slice(-2)}`;
    const refused = await post({
      input: [...userInput('think'), { ...withoutId, encrypted_content: tampered }],
    });
    expect(refused).toMatchObject({
      status: 400,
      json: {
        error: {
          type: 'invalid_request_error',
          code: 'invalid_encrypted_content',
          param: 'input',
          message: expect.stringMatching(/^The encrypted content gAAAAA.+ could not be verified\./),
        },
      },
    });
  });

  it('refuses content another emulator issued, over WebSocket too, and keeps the socket open', async () => {
    const other = await startEmulator({ scenario: 'reasoning' });
    try {
      const foreign = await postResponses(`${other.openaiBaseUrl}/responses`, apiKeyHeaders(other), {
        model: 'gpt-5.4',
        stream: true,
        input: 'think',
        include: ['reasoning.encrypted_content'],
      });
      const [reasoning] = outputItems(foreign.events);
      const socket = await harness.connect(
        `${emulator().openaiBaseUrl}/responses`,
        apiKeyHeaders(emulator()),
      );
      socket.create({ model: 'gpt-5.4', input: [...userInput('think'), reasoning] });
      expect(errorEventOf(await socket.nextResponse())).toMatchObject({
        status_code: 400,
        error: { code: 'invalid_encrypted_content', param: 'input' },
      });
      socket.create({ model: 'gpt-5.4', input: userInput('[scenario:text] fine') });
      expect(outputText(await socket.nextResponse())).toBe(TEXT_ANSWER);
    } finally {
      await other.close();
    }
  });
});

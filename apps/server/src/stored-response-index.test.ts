import type { ResponseItem } from '@codetether/responses-protocol';
import { describe, expect, it, vi } from 'vitest';
import { fakeIndexedConversation } from './__fixtures__/fake-indexed-conversation.js';
import { ConversationIndex, MAX_STREAMING_RESPONSES } from './conversation-index.js';
import {
  rebuildResponse,
  type StoredResponse,
  storedResponseBytes,
  storeResponse,
} from './stored-response.js';

/** The bytes a history's items count in the index: the length of each one's JSON. */
const jsonBytes = (items: readonly ResponseItem[]): number =>
  items.reduce((total, item) => total + JSON.stringify(item).length, 0);

const SETTINGS = JSON.stringify({ model: 'gpt-5.4', instructions: 'x'.repeat(10_000), tools: [] });

/** An index entry whose last response is stored. */
function entryWithResponse(transcript: string, responseId: string) {
  const entry = fakeIndexedConversation(transcript, responseId);
  entry.settings = SETTINGS;
  entry.response = storeResponse(
    { id: responseId, object: 'response', instructions: 'x'.repeat(10_000), tools: [], output: [] },
    [{ type: 'message', role: 'user', content: 'hello' }],
    SETTINGS,
    JSON.parse(SETTINGS),
  );
  return entry;
}

describe('stored responses in the ConversationIndex', () => {
  it('keeps what rebuilds the response, without the settings it echoes, counted in the bytes', () => {
    const entry = entryWithResponse('t', 'resp_1');
    const stored = entry.response;
    if (stored === undefined) throw new Error('no stored response');
    expect(storedResponseBytes(stored)).toBeLessThan(500);
    expect(rebuildResponse(stored)).toEqual({
      id: 'resp_1',
      object: 'response',
      instructions: 'x'.repeat(10_000),
      tools: [],
      output: [],
    });
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    index.put('k', 'client', entry);
    expect(index.bytes).toBe(1 + storedResponseBytes(stored));
    index.forgetResponse('client', 'resp_1');
    expect(index.bytes).toBe(0);
  });

  it('finds a response only for its own client, and forgets it (closing its conversation)', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const entry = entryWithResponse('t', 'resp_1');
    index.put('k', 'alice', entry);
    expect(index.findResponse('bob', 'resp_1')).toBeUndefined();
    expect(index.forgetResponse('bob', 'resp_1')).toBe(false);
    expect(index.findResponse('alice', 'resp_1')).toBe(entry.response);
    expect(index.forgetResponse('alice', 'resp_1')).toBe(true);
    expect(entry.closed()).toBe(true);
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
    expect(index.takeByResponseId('alice', 'resp_1')).toBeUndefined();
    expect(index.forgetResponse('alice', 'resp_1')).toBe(false);
  });

  it('forgets a response a running turn continues: a failed turn does not put it back', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const entry = entryWithResponse('t', 'resp_1');
    index.put('k', 'alice', entry);
    const taken = index.takeByResponseId('alice', 'resp_1');
    if (taken === undefined) throw new Error('not taken');
    index.startTurn('k', { clientTag: 'alice', responseId: 'resp_1', history: [], stored: taken.response });
    expect(index.findResponse('alice', 'resp_1')).toBe(entry.response);
    expect(index.forgetResponse('bob', 'resp_1')).toBe(false);
    expect(index.forgetResponse('alice', 'resp_1')).toBe(true);
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
    expect(index.runningResponse('alice', 'resp_1')).toBeUndefined();
    index.put('k', 'alice', taken, { keepExisting: true });
    expect(entry.closed()).toBe(true);
    expect(index.size).toBe(0);
  });

  it('keeps the turn’s new response when the deleted one’s turn completes', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    index.put('k', 'alice', entryWithResponse('t', 'resp_1'));
    const taken = index.takeByResponseId('alice', 'resp_1');
    index.startTurn('k', { clientTag: 'alice', responseId: 'resp_1', history: [], stored: taken?.response });
    index.forgetResponse('alice', 'resp_1');
    const next = entryWithResponse('t2', 'resp_2');
    index.put('k', 'alice', next);
    expect(next.closed()).toBe(false);
    expect(index.findResponse('alice', 'resp_2')).toBe(next.response);
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
  });

  it('forgets responses that expired with their conversation', () => {
    let now = 0;
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 1_000 }, () => now);
    index.put('k', 'alice', entryWithResponse('t', 'resp_1'));
    now = 2_000;
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
    expect(index.size).toBe(0);
  });
});

describe('earlier and unfinished responses in the ConversationIndex', () => {
  /**
   * Runs a turn on the conversation under `k` that answers `next` (as runConversationTurn does), `from`
   * having `history` (the conversation's history up to and including it).
   */
  function continueTurn(
    index: ConversationIndex,
    from: string,
    next: string,
    key = 'k',
    history: readonly ResponseItem[] = [],
  ): void {
    const taken = index.takeByResponseId('alice', from);
    if (taken === undefined) throw new Error(`${from} not taken`);
    index.startTurn('k', { clientTag: 'alice', responseId: from, history, stored: taken.response });
    index.put(key, 'alice', entryWithResponse(`t-${next}`, next));
    if (key !== 'k') index.finishTurn('k');
  }

  it('keeps every response of a conversation once later turns completed, counted in the bytes', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const first = entryWithResponse('t', 'resp_1');
    index.put('k', 'alice', first);
    continueTurn(index, 'resp_1', 'resp_2');
    continueTurn(index, 'resp_2', 'resp_3', 'k2');
    expect(index.findResponse('alice', 'resp_1')).toBe(first.response);
    expect(index.findResponse('alice', 'resp_2')?.body).toContain('resp_2');
    expect(index.findResponse('alice', 'resp_3')?.body).toContain('resp_3');
    expect(index.findResponse('bob', 'resp_1')).toBeUndefined();
    expect(index.keptResponses).toBe(2);
    const perResponse = storedResponseBytes(first.response as StoredResponse);
    expect(index.bytes).toBe('t-resp_3'.length + 3 * perResponse);
    // Deleting an earlier response forgets only it: the conversation still continues from the latest.
    expect(index.forgetResponse('bob', 'resp_1')).toBe(false);
    expect(index.forgetResponse('alice', 'resp_1')).toBe(true);
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
    expect(index.forgetResponse('alice', 'resp_1')).toBe(false);
    expect(index.bytes).toBe('t-resp_3'.length + 2 * perResponse);
    expect(index.takeByResponseId('alice', 'resp_3')?.responseId).toBe('resp_3');
    // An earlier response is not the conversation's last one: it is not taken (a new conversation
    // starts from its history instead, see below).
    expect(index.takeByResponseId('alice', 'resp_2')).toBeUndefined();
  });

  it('keeps the history of an earlier response, so that it can be continued, counted in the bytes', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const turnOne: ResponseItem[] = [
      { type: 'message', role: 'user', content: 'one' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'answer one' }] },
    ];
    const first = entryWithResponse('t', 'resp_1');
    index.put('k', 'alice', first);
    continueTurn(index, 'resp_1', 'resp_2', 'k', turnOne);
    expect(index.keptResponseHistory('alice', 'resp_1')).toEqual(turnOne);
    expect(index.keptResponseHistory('bob', 'resp_1')).toBeUndefined();
    // The last response is continued by taking its conversation, not from a kept history.
    expect(index.keptResponseHistory('alice', 'resp_2')).toBeUndefined();
    const perResponse = storedResponseBytes(first.response as StoredResponse);
    expect(index.bytes).toBe('t-resp_2'.length + 2 * perResponse + jsonBytes(turnOne));
    // Continuing it again and again leaves it kept (each continuation is a branch of its own).
    expect(index.keptResponseHistory('alice', 'resp_1')).toEqual(turnOne);
    expect(index.forgetResponse('alice', 'resp_1')).toBe(true);
    expect(index.keptResponseHistory('alice', 'resp_1')).toBeUndefined();
    expect(index.bytes).toBe('t-resp_2'.length + perResponse);
  });

  it('keeps the history of a conversation’s last response when it leaves the index, not of an unfinished one', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const history: ResponseItem[] = [{ type: 'message', role: 'user', content: 'hi' }];
    const entry = entryWithResponse('t', 'resp_1');
    entry.conversation = { ...entry.conversation, history };
    index.put('k', 'alice', entry);
    const taken = index.takeByResponseId('alice', 'resp_1');
    if (taken === undefined) throw new Error('not taken');
    index.keepLastResponse('alice', taken);
    expect(index.keptResponseHistory('alice', 'resp_1')).toEqual(history);
    // A finished turn's continued response, too.
    index.put('k2', 'alice', entryWithResponse('u', 'resp_2'));
    const second = index.takeByResponseId('alice', 'resp_2');
    index.startTurn('k2', { clientTag: 'alice', responseId: 'resp_2', history, stored: second?.response });
    index.finishTurn('k2');
    expect(index.keptResponseHistory('alice', 'resp_2')).toEqual(history);
    // An incomplete or failed response continues nothing.
    index.keepResponse(
      'alice',
      'resp_failed',
      entryWithResponse('f', 'resp_failed').response as StoredResponse,
    );
    expect(index.findResponse('alice', 'resp_failed')).toBeDefined();
    expect(index.keptResponseHistory('alice', 'resp_failed')).toBeUndefined();
  });

  it('counts an item the kept histories of a conversation share once, until no kept response holds it', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const items: ResponseItem[] = Array.from({ length: 10 }, (_, turn) => ({
      type: 'message',
      role: 'user',
      content: `turn ${turn} `.repeat(100),
    }));
    index.put('k', 'alice', entryWithResponse('t', 'resp_0'));
    // Ten turns: each earlier response keeps the history up to it (a prefix of the next one's).
    for (let turn = 0; turn < 10; turn += 1)
      continueTurn(index, `resp_${turn}`, `resp_${turn + 1}`, 'k', items.slice(0, turn + 1));
    const perResponse = storedResponseBytes(entryWithResponse('t', 'resp_x').response as StoredResponse);
    const lastTranscriptAndResponse =
      't-resp_10'.length + storedResponseBytes(entryWithResponse('t', 'resp_10').response as StoredResponse);
    expect(index.keptResponses).toBe(10);
    expect(index.bytes).toBe(lastTranscriptAndResponse + 10 * perResponse + jsonBytes(items));
    // Forgetting an early response frees nothing its later ones still hold…
    index.forgetResponse('alice', 'resp_0');
    expect(index.bytes).toBe(lastTranscriptAndResponse + 9 * perResponse + jsonBytes(items));
    expect(index.keptResponseHistory('alice', 'resp_1')).toEqual(items.slice(0, 2));
    // …and forgetting the last one frees what only it held.
    index.forgetResponse('alice', 'resp_9');
    expect(index.bytes).toBe(lastTranscriptAndResponse + 8 * perResponse + jsonBytes(items.slice(0, 9)));
    for (let turn = 1; turn < 9; turn += 1) index.forgetResponse('alice', `resp_${turn}`);
    expect(index.bytes).toBe(lastTranscriptAndResponse);
  });

  it('forgets kept histories with their responses, by age and over the byte limit', () => {
    let now = 0;
    const big: ResponseItem[] = [{ type: 'message', role: 'user', content: 'x'.repeat(50_000) }];
    // Another 50 kB item (a kept history holding the same item objects would count them once).
    const otherBig: ResponseItem[] = [{ type: 'message', role: 'user', content: 'y'.repeat(50_000) }];
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 1_000, maxBytes: 60_000 }, () => now);
    index.put('k', 'alice', entryWithResponse('t', 'resp_1'));
    continueTurn(index, 'resp_1', 'resp_2', 'k', otherBig);
    expect(index.keptResponseHistory('alice', 'resp_1')).toBe(otherBig);
    // A second big history goes over the byte limit: the oldest kept response goes first.
    continueTurn(index, 'resp_2', 'resp_3', 'k', big);
    expect(index.keptResponseHistory('alice', 'resp_1')).toBeUndefined();
    expect(index.keptResponseHistory('alice', 'resp_2')).toBe(big);
    expect(index.bytes).toBeLessThanOrEqual(60_000);
    now = 2_000;
    expect(index.keptResponseHistory('alice', 'resp_2')).toBeUndefined();
  });

  it('forgets earlier responses by age, by their count limit and before conversations over the byte limit', () => {
    let now = 0;
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 1_000, maxResponses: 2 }, () => now);
    index.put('k', 'alice', entryWithResponse('t', 'resp_1'));
    continueTurn(index, 'resp_1', 'resp_2');
    continueTurn(index, 'resp_2', 'resp_3');
    continueTurn(index, 'resp_3', 'resp_4');
    expect(index.keptResponses).toBe(2);
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
    expect(index.findResponse('alice', 'resp_2')).toBeDefined();
    now = 600;
    continueTurn(index, 'resp_4', 'resp_5');
    now = 1_100;
    // resp_2 and resp_3 became earlier at 0, resp_4 at 600.
    expect(index.findResponse('alice', 'resp_2')).toBeUndefined();
    expect(index.findResponse('alice', 'resp_4')).toBeDefined();
    expect(index.findResponse('alice', 'resp_5')).toBeDefined();

    const perResponse = storedResponseBytes(entryWithResponse('x', 'resp_x').response as StoredResponse);
    const small = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000, maxBytes: 3 * perResponse + 5 });
    const bobs = entryWithResponse('b', 'resp_b');
    small.put('kb', 'bob', bobs);
    const alices = entryWithResponse('t', 'resp_1');
    small.put('k', 'alice', alices);
    const taken = small.takeByResponseId('alice', 'resp_1');
    small.startTurn('k', { clientTag: 'alice', responseId: 'resp_1', history: [], stored: taken?.response });
    small.put('k', 'alice', entryWithResponse('t-resp_2', 'resp_2'));
    expect(small.findResponse('alice', 'resp_1')).toBeUndefined();
    expect(small.findResponse('alice', 'resp_2')).toBeDefined();
    expect(bobs.closed()).toBe(false);
    expect(small.bytes).toBeLessThanOrEqual(3 * perResponse + 5);
  });

  it('keeps an unfinished response and the last response of a conversation it closes', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const failed = entryWithResponse('f', 'resp_failed').response as StoredResponse;
    index.keepResponse('alice', 'resp_failed', failed);
    expect(index.findResponse('alice', 'resp_failed')).toBe(failed);
    expect(index.findResponse('bob', 'resp_failed')).toBeUndefined();
    expect(index.bytes).toBe(storedResponseBytes(failed));
    const entry = entryWithResponse('t', 'resp_1');
    index.put('k', 'alice', entry);
    const taken = index.takeByResponseId('alice', 'resp_1');
    if (taken === undefined) throw new Error('not taken');
    index.keepLastResponse('alice', taken);
    expect(index.findResponse('alice', 'resp_1')).toBe(entry.response);
    expect(index.takeByResponseId('alice', 'resp_1')).toBeUndefined();
    expect(index.forgetResponse('alice', 'resp_failed')).toBe(true);
    expect(index.forgetResponse('alice', 'resp_1')).toBe(true);
    expect(index.bytes).toBe(0);
  });

  it('does not keep a response deleted while its turn ran', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    index.put('k', 'alice', entryWithResponse('t', 'resp_1'));
    const taken = index.takeByResponseId('alice', 'resp_1');
    index.startTurn('k', { clientTag: 'alice', responseId: 'resp_1', history: [], stored: taken?.response });
    index.forgetResponse('alice', 'resp_1');
    index.put('k', 'alice', entryWithResponse('t2', 'resp_2'));
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
    expect(index.keptResponses).toBe(0);
  });
});

describe('response owners in the ConversationIndex', () => {
  it('remembers whose a response id was after the response is gone', () => {
    const index = new ConversationIndex({ maxEntries: 1, maxAgeMs: 60_000 });
    index.put('k', 'alice', entryWithResponse('t', 'resp_1'));
    index.keepResponse('alice', 'resp_kept', entryWithResponse('x', 'resp_kept').response as StoredResponse);
    index.put('k2', 'bob', entryWithResponse('u', 'resp_2'));
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
    index.forgetResponse('alice', 'resp_kept');
    expect(index.belongsToAnotherClient('bob', 'resp_1')).toBe(true);
    expect(index.belongsToAnotherClient('bob', 'resp_kept')).toBe(true);
    expect(index.belongsToAnotherClient('alice', 'resp_1')).toBe(false);
    expect(index.belongsToAnotherClient('alice', 'resp_2')).toBe(true);
    expect(index.belongsToAnotherClient('alice', 'resp_unknown')).toBe(false);
  });
});

describe('a response kept aside that comes back as a conversation’s last one', () => {
  it('is held once, and deleting it forgets it for good', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const entry = entryWithResponse('t', 'resp_1');
    index.put('k', 'alice', entry);
    const taken = index.takeByResponseId('alice', 'resp_1');
    if (taken === undefined) throw new Error('not taken');
    index.startTurn('k', { clientTag: 'alice', responseId: 'resp_1', history: [], stored: taken.response });
    // A concurrent request's turn completes elsewhere and takes the running mark; resp_1 is kept aside.
    index.put('k', 'alice', entryWithResponse('t2', 'resp_2'));
    index.take('k', () => true);
    expect(index.keptResponses).toBe(1);
    // The first turn fails and gives resp_1's conversation back.
    index.put('k', 'alice', taken, { keepExisting: true });
    expect(index.keptResponses).toBe(0);
    expect(index.bytes).toBe(1 + storedResponseBytes(taken.response as StoredResponse));
    expect(index.forgetResponse('alice', 'resp_1')).toBe(true);
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
  });
});

describe('responses still streaming in the ConversationIndex', () => {
  it('answers a streaming response from its snapshot, for its own client, until it ended or expired', () => {
    let now = 0;
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 1_000 }, () => now);
    const partial = entryWithResponse('t', 'resp_live').response as StoredResponse;
    let ended = false;
    index.startStreamingResponse('alice', 'resp_live', () => (ended ? undefined : partial));
    expect(index.findResponse('alice', 'resp_live')).toBe(partial);
    expect(index.streamingResponse('alice', 'resp_live')).toBe(partial);
    expect(index.findResponse('bob', 'resp_live')).toBeUndefined();
    expect(index.belongsToAnotherClient('bob', 'resp_live')).toBe(true);
    // Not counted in the bytes: the stream holds it, not the index.
    expect(index.bytes).toBe(0);
    ended = true;
    expect(index.findResponse('alice', 'resp_live')).toBeUndefined();
    ended = false;
    index.endStreamingResponse('alice', 'resp_live');
    expect(index.findResponse('alice', 'resp_live')).toBeUndefined();

    index.startStreamingResponse('alice', 'resp_leaked', () => partial);
    now = 1_500;
    expect(index.findResponse('alice', 'resp_leaked')).toBeUndefined();
  });

  it(`tracks at most ${MAX_STREAMING_RESPONSES} streaming responses (the oldest goes)`, () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const partial = entryWithResponse('t', 'resp_x').response as StoredResponse;
    for (let count = 0; count <= MAX_STREAMING_RESPONSES; count += 1)
      index.startStreamingResponse('alice', `resp_${count}`, () => partial);
    expect(index.findResponse('alice', 'resp_0')).toBeUndefined();
    expect(index.findResponse('alice', 'resp_1')).toBe(partial);
    expect(index.findResponse('alice', `resp_${MAX_STREAMING_RESPONSES}`)).toBe(partial);
  });
});

describe('output items of stored responses (item_reference)', () => {
  function entryWithOutput(responseId: string, itemCount: number) {
    const entry = fakeIndexedConversation(`t-${responseId}`, responseId);
    entry.settings = SETTINGS;
    const output = Array.from({ length: itemCount }, (_, index) => ({
      id: `msg_${responseId}_${index}`,
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: `answer ${index}` }],
    }));
    entry.response = storeResponse(
      { id: responseId, object: 'response', output },
      [],
      SETTINGS,
      JSON.parse(SETTINGS),
    );
    return entry;
  }

  it('finds an output item by its id for its own key only, and forgets it with its response', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    index.put('k1', 'own', entryWithOutput('resp_a', 2));
    expect(index.findItem('own', 'msg_resp_a_1')).toMatchObject({ id: 'msg_resp_a_1', role: 'assistant' });
    expect(index.findItem('other', 'msg_resp_a_1')).toBeUndefined();
    expect(index.findItem('own', 'msg_unknown')).toBeUndefined();
    expect(index.forgetResponse('own', 'resp_a')).toBe(true);
    expect(index.findItem('own', 'msg_resp_a_1')).toBeUndefined();
  });

  it('parses a response once for all the items one request asks for (a request may reference thousands)', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    index.put('k1', 'own', entryWithOutput('resp_b', 50));
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const parsed = new Map();
      for (let round = 0; round < 20; round += 1)
        for (let item = 0; item < 50; item += 1)
          expect(index.findItem('own', `msg_resp_b_${item}`, parsed)?.id).toBe(`msg_resp_b_${item}`);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });
});

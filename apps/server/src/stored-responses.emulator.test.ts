import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiErrorOf } from './__fixtures__/api-error.js';
import { TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { createResponse, openResponsesSocket } from './__fixtures__/responses-websocket-client.js';
import { useTwoKeySuiteGateway } from './__fixtures__/suite-gateway.js';
import { until } from './__fixtures__/until.js';

const TIMEOUT = { timeout: 30_000 };
const MODEL = 'gpt-5.4';

/** Asserts OpenAI's 404 for a response it does not know. */
async function expectNotFound(call: Promise<unknown>, responseId: string): Promise<void> {
  const error = await apiErrorOf(call);
  expect(error.status).toBe(404);
  expect(error.error).toEqual({
    message: `Response with id '${responseId}' not found.`,
    type: 'invalid_request_error',
    param: null,
    code: null,
  });
}

describe.each(['websocket', 'http'] as const)(
  'stored responses through the openai SDK (upstream %s)',
  (transport) => {
    const suite = useTwoKeySuiteGateway({ transport });

    it('retrieves the response the gateway answered, streamed or not', TIMEOUT, async () => {
      const created = await suite.client.responses.create({
        model: MODEL,
        instructions: 'Answer briefly.',
        input: '[scenario:text] hello',
      });
      const retrieved = await suite.client.responses.retrieve(created.id);
      expect(retrieved).toEqual(created);
      expect(retrieved.instructions).toBe('Answer briefly.');
      expect(retrieved.output_text.length).toBeGreaterThan(0);

      const stream = await suite.client.responses.create({
        model: MODEL,
        input: '[scenario:text] hi',
        stream: true,
      });
      let completedId: string | undefined;
      let completedText = '';
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') completedText += event.delta;
        if (event.type === 'response.completed') completedId = event.response.id;
      }
      expect(completedId).toMatch(/^resp_/);
      const streamed = await suite.client.responses.retrieve(completedId ?? '');
      expect(streamed.status).toBe('completed');
      expect(streamed.output_text).toBe(completedText);
      expect(streamed.usage?.total_tokens).toBeGreaterThan(0);
    });

    it('lists the input items of a response, as OpenAI paginates them', TIMEOUT, async () => {
      const texts = ['[scenario:text] one', 'two', 'three', 'four', 'five'];
      const created = await suite.client.responses.create({
        model: MODEL,
        input: texts.map((text) => ({ role: 'user' as const, content: text })),
      });
      const textOf = (item: unknown) =>
        (item as { content: { type: string; text: string }[] }).content.map((part) => part.text).join('');
      const ascending: string[] = [];
      for await (const item of suite.client.responses.inputItems.list(created.id, { order: 'asc', limit: 2 }))
        ascending.push(textOf(item));
      expect(ascending).toEqual(texts);

      const newestFirst = await suite.client.responses.inputItems.list(created.id);
      expect(newestFirst.data.map(textOf)).toEqual([...texts].reverse());
      expect(newestFirst.has_more).toBe(false);
      const first = newestFirst.data[0];
      expect(first).toMatchObject({ type: 'message', role: 'user', status: 'completed' });
      expect((first as { content: unknown }).content).toEqual([{ type: 'input_text', text: 'five' }]);
      expect(newestFirst.data.every((item) => typeof item.id === 'string' && item.id !== '')).toBe(true);

      // The SDK's page keeps only `data` and `has_more`: the list's own fields, read raw.
      const answer = await fetch(
        `${suite.harness.baseUrl}/responses/${created.id}/input_items?order=asc&limit=2`,
        {
          headers: { authorization: `Bearer ${suite.ownKey}` },
        },
      );
      const page = (await answer.json()) as OpenAI.Responses.ResponseItemList;
      expect(page).toMatchObject({ object: 'list', has_more: true });
      expect(page.first_id).toBe(page.data[0]?.id);
      expect(page.last_id).toBe(page.data[1]?.id);
      // `before` (OpenAI's older cursor; the SDK types only `after`) passed as a raw query.
      const beforeLast = await suite.client.responses.inputItems.list(created.id, {
        query: { order: 'asc', limit: 2, before: newestFirst.data[0]?.id ?? '' },
      });
      expect(beforeLast.data.map(textOf)).toEqual(['three', 'four']);
      expect(beforeLast.has_more).toBe(true);

      // A continued response lists its own input, not the conversation before it.
      const continued = await suite.client.responses.create({
        model: MODEL,
        previous_response_id: created.id,
        input: '[scenario:text] six',
      });
      const continuedItems = await suite.client.responses.inputItems.list(continued.id);
      expect(continuedItems.data.map(textOf)).toEqual(['[scenario:text] six']);
    });

    it('keeps every response of a conversation, each with its own input items', TIMEOUT, async () => {
      const first = await suite.client.responses.create({ model: MODEL, input: '[scenario:text] turn one' });
      const second = await suite.client.responses.create({
        model: MODEL,
        previous_response_id: first.id,
        input: '[scenario:text] turn two',
      });
      const third = await suite.client.responses.create({
        model: MODEL,
        previous_response_id: second.id,
        input: '[scenario:text] turn three',
        stream: true,
      });
      let thirdId = '';
      for await (const event of third) if (event.type === 'response.completed') thirdId = event.response.id;
      const textsOf = async (responseId: string) =>
        (await suite.client.responses.inputItems.list(responseId)).data.map((item) =>
          (item as { content: { text: string }[] }).content.map((part) => part.text).join(''),
        );
      expect(await suite.client.responses.retrieve(first.id)).toEqual(first);
      expect(await suite.client.responses.retrieve(second.id)).toEqual(second);
      expect((await suite.client.responses.retrieve(thirdId)).status).toBe('completed');
      expect(await textsOf(first.id)).toEqual(['[scenario:text] turn one']);
      expect(await textsOf(second.id)).toEqual(['[scenario:text] turn two']);
      expect(await textsOf(thirdId)).toEqual(['[scenario:text] turn three']);
      const metrics = await (await fetch(`${suite.harness.gateway.url}/metrics`)).text();
      const kept = /^codetether_server_kept_responses (\d+)$/m.exec(metrics)?.[1];
      expect(Number(kept)).toBeGreaterThanOrEqual(2);
      await expectNotFound(suite.otherClient.responses.retrieve(first.id), first.id);
      await expectNotFound(suite.otherClient.responses.delete(second.id), second.id);

      // Deleting earlier responses forgets them only: the conversation continues from its last one.
      expect((await suite.client.responses.delete(first.id).asResponse()).status).toBe(200);
      expect((await suite.client.responses.delete(second.id).asResponse()).status).toBe(200);
      await expectNotFound(suite.client.responses.retrieve(first.id), first.id);
      await expectNotFound(suite.client.responses.inputItems.list(second.id), second.id);
      const sentBefore = suite.harness.emulator.requests.length;
      const fourth = await suite.client.responses.create({
        model: MODEL,
        previous_response_id: thirdId,
        input: '[scenario:text] turn four',
      });
      expect(fourth.status).toBe('completed');
      expect(suite.harness.emulator.requests.length).toBe(sentBefore + 1);
      expect((await suite.client.responses.retrieve(thirdId)).id).toBe(thirdId);
    });

    it('continues an earlier response as OpenAI does: a branch from its history', TIMEOUT, async () => {
      const first = await suite.client.responses.create({
        model: MODEL,
        input: '[scenario:text] branch one',
      });
      const second = await suite.client.responses.create({
        model: MODEL,
        previous_response_id: first.id,
        input: '[scenario:text] branch two',
      });
      const sentBefore = suite.harness.emulator.requests.length;
      const branch = await suite.client.responses.create({
        model: MODEL,
        previous_response_id: first.id,
        input: '[scenario:text] branch three',
      });
      expect(branch.status).toBe('completed');
      // Each response names the response its request named, as OpenAI's do.
      expect([first.previous_response_id, second.previous_response_id, branch.previous_response_id]).toEqual([
        null,
        first.id,
        first.id,
      ]);
      const sent = suite.harness.emulator.requests
        .slice(sentBefore)
        .filter((request) => request.path.endsWith('/responses') && request.method === 'POST');
      expect(sent).toHaveLength(1);
      // Sent in full: the first turn (its input and answer) and the new input, not the second turn.
      const input = JSON.stringify((sent[0]?.body as { input?: unknown } | undefined)?.input);
      expect(input).toContain('branch one');
      expect(input).toContain('branch three');
      expect(input).not.toContain('branch two');
      expect(sent[0]?.previousResponseId).toBeUndefined();

      // The branch continues on its own conversation; the second turn's conversation is untouched.
      const sentBeforeFollowUps = suite.harness.emulator.requests.length;
      const afterBranch = await suite.client.responses.create({
        model: MODEL,
        previous_response_id: branch.id,
        input: '[scenario:text] branch four',
      });
      const afterSecond = await suite.client.responses.create({
        model: MODEL,
        previous_response_id: second.id,
        input: '[scenario:text] branch five',
      });
      expect([afterBranch.status, afterSecond.status]).toEqual(['completed', 'completed']);
      const followUps = suite.harness.emulator.requests
        .slice(sentBeforeFollowUps)
        .filter((request) => request.path.endsWith('/responses') && request.method === 'POST');
      if (transport === 'websocket') {
        // Each continued upstream: only the new item, after the response it follows.
        expect(followUps.map((request) => [request.previousResponseId, request.inputItems])).toEqual([
          [branch.id, 1],
          [second.id, 1],
        ]);
      } else {
        // Over HTTP every turn goes in full: each with its own branch's history.
        const [branchInput, secondInput] = followUps.map((request) =>
          JSON.stringify((request.body as { input?: unknown }).input),
        );
        for (const text of ['branch one', 'branch three', 'branch four']) expect(branchInput).toContain(text);
        expect(branchInput).not.toContain('branch two');
        for (const text of ['branch one', 'branch two', 'branch five']) expect(secondInput).toContain(text);
        expect(secondInput).not.toContain('branch three');
      }
      // An earlier response can be continued again, and is still retrievable.
      const again = await suite.client.responses.create({
        model: MODEL,
        previous_response_id: first.id,
        input: '[scenario:text] branch six',
      });
      expect(again.status).toBe('completed');
      expect(await suite.client.responses.retrieve(first.id)).toEqual(first);

      // Never another key's, and not once deleted.
      const notFound = async (call: Promise<unknown>) => {
        const error = await apiErrorOf(call);
        expect(error.status).toBe(400);
        expect(error.code).toBe('previous_response_not_found');
        expect(error.param).toBe('previous_response_id');
      };
      await notFound(
        suite.otherClient.responses.create({
          model: MODEL,
          previous_response_id: first.id,
          input: '[scenario:text] x',
        }),
      );
      expect((await suite.client.responses.delete(first.id).asResponse()).status).toBe(200);
      await notFound(
        suite.client.responses.create({
          model: MODEL,
          previous_response_id: first.id,
          input: '[scenario:text] x',
        }),
      );
    });

    it('keeps incomplete and failed responses with their details', TIMEOUT, async () => {
      const incomplete = await suite.client.responses.create({
        model: MODEL,
        input: '[scenario:incomplete] cut',
      });
      expect(incomplete.status).toBe('incomplete');
      const retrieved = await suite.client.responses.retrieve(incomplete.id);
      expect(retrieved).toEqual(incomplete);
      expect(retrieved.incomplete_details).toEqual({ reason: 'max_output_tokens' });
      const items = await suite.client.responses.inputItems.list(incomplete.id);
      expect(items.data).toHaveLength(1);

      const stream = await suite.client.responses.create({
        model: MODEL,
        input: '[scenario:failed] break',
        stream: true,
      });
      let failedId = '';
      for await (const event of stream) if (event.type === 'response.failed') failedId = event.response.id;
      expect(failedId).toMatch(/^resp_/);
      const failed = await suite.client.responses.retrieve(failedId);
      expect(failed.status).toBe('failed');
      expect(failed.error).toEqual({
        code: 'server_error',
        message: 'The model failed to generate a response. Try again.',
      });
      await expectNotFound(suite.otherClient.responses.retrieve(failedId), failedId);
      expect((await suite.client.responses.delete(failedId).asResponse()).status).toBe(200);
      await expectNotFound(suite.client.responses.retrieve(failedId), failedId);
    });

    it('refuses out-of-range pagination with a 400 naming the parameter', TIMEOUT, async () => {
      const created = await suite.client.responses.create({ model: MODEL, input: '[scenario:text] page me' });
      for (const [query, param] of [
        [{ limit: 0 }, 'limit'],
        [{ limit: 101 }, 'limit'],
        [{ limit: -1 }, 'limit'],
        [{ limit: 1.5 }, 'limit'],
        [{ order: 'sideways' }, 'order'],
        [{ after: 'msg_unknown' }, 'after'],
        [{ before: 'x'.repeat(5000) }, 'before'],
      ] as const) {
        const error = await apiErrorOf(
          suite.client.responses.inputItems.list(created.id, query as OpenAI.Responses.InputItemListParams),
        );
        expect(error.status).toBe(400);
        expect(error.param).toBe(param);
        expect(error.message.length).toBeLessThan(400);
      }
      const edge = await suite.client.responses.inputItems.list(created.id, { limit: 100 });
      expect(edge.data).toHaveLength(1);
    });

    it('deletes a response: it can no longer be retrieved, listed or continued', TIMEOUT, async () => {
      const created = await suite.client.responses.create({
        model: MODEL,
        input: '[scenario:text] forget me',
      });
      const deleted = await suite.client.responses.delete(created.id).asResponse();
      expect(deleted.status).toBe(200);
      expect(await deleted.json()).toEqual({ id: created.id, object: 'response', deleted: true });
      await expectNotFound(suite.client.responses.retrieve(created.id), created.id);
      await expectNotFound(suite.client.responses.inputItems.list(created.id), created.id);
      await expectNotFound(suite.client.responses.delete(created.id), created.id);
      const continuation = await apiErrorOf(
        suite.client.responses.create({ model: MODEL, previous_response_id: created.id, input: 'and?' }),
      );
      expect(continuation.status).toBe(400);
      expect(continuation.code).toBe('previous_response_not_found');
    });

    it('never shows, deletes or cancels another key’s response', TIMEOUT, async () => {
      const created = await suite.client.responses.create({ model: MODEL, input: '[scenario:text] mine' });
      await expectNotFound(suite.otherClient.responses.retrieve(created.id), created.id);
      await expectNotFound(suite.otherClient.responses.inputItems.list(created.id), created.id);
      await expectNotFound(suite.otherClient.responses.delete(created.id), created.id);
      await expectNotFound(suite.otherClient.responses.cancel(created.id), created.id);
      const continuation = await apiErrorOf(
        suite.otherClient.responses.create({ model: MODEL, previous_response_id: created.id, input: 'and?' }),
      );
      expect(continuation.code).toBe('previous_response_not_found');
      expect((await suite.client.responses.retrieve(created.id)).id).toBe(created.id);
    });

    it('answers cancel as OpenAI does for a response that is not a background one', TIMEOUT, async () => {
      const created = await suite.client.responses.create({
        model: MODEL,
        input: '[scenario:text] cancel me',
      });
      const error = await apiErrorOf(suite.client.responses.cancel(created.id));
      expect(error.status).toBe(400);
      expect(error.type).toBe('invalid_request_error');
      expect((error.error as { message: string }).message).toMatch(/^Cannot cancel a synchronous response\./);
      await expectNotFound(suite.client.responses.cancel('resp_unknown'), 'resp_unknown');
      expect((await suite.client.responses.retrieve(created.id)).status).toBe('completed');
    });

    it(
      'refuses streaming a retrieve of a response not run in the background, and accepts background: false',
      TIMEOUT,
      async () => {
        const accepted = await suite.client.responses.create({
          model: MODEL,
          input: '[scenario:text] now',
          background: false,
        });
        expect(accepted.status).toBe('completed');
        const streamed = await apiErrorOf(suite.client.responses.retrieve(accepted.id, { stream: true }));
        expect(streamed.status).toBe(400);
        expect(streamed.param).toBe('stream');
      },
    );

    it('answers unknown, huge and path-like ids with the same 404', TIMEOUT, async () => {
      const sentBefore = suite.harness.emulator.requests.length;
      await expectNotFound(suite.client.responses.retrieve('resp_unknown'), 'resp_unknown');
      await expectNotFound(suite.client.responses.delete('resp_unknown'), 'resp_unknown');
      await expectNotFound(suite.client.responses.inputItems.list('resp_unknown'), 'resp_unknown');
      // A ChatGPT login stores nothing upstream: nothing is asked there.
      expect(suite.harness.emulator.requests.length).toBe(sentBefore);
      const huge = `resp_${'a'.repeat(8000)}`;
      const hugeError = await apiErrorOf(suite.client.responses.retrieve(huge));
      expect(hugeError.status).toBe(404);
      expect(hugeError.message.length).toBeLessThan(200);
      const headers = { authorization: `Bearer ${TEST_SERVER_KEY}` };
      for (const path of [
        '/responses/..%2Fmodels',
        '/responses/%2E%2E',
        '/responses/resp_%00',
        '/responses/%F0%9F%98%80/input_items',
        '/responses/..%2F..%2Fhealthz/cancel',
      ]) {
        const answer = await fetch(`${suite.harness.baseUrl}${path}`, {
          method: path.endsWith('/cancel') ? 'POST' : 'GET',
          headers,
        });
        expect(answer.status).toBe(404);
        const body = (await answer.json()) as { error: { type: string } };
        expect(body.error.type).toBe('invalid_request_error');
      }
    });

    /**
     * Starts a streamed response paced at 150 ms per event and reads it up to its first event of
     * `until`'s type; the caller reads the rest from `events` (or aborts with `abort`).
     */
    async function startPacedStream(input: string, until: string) {
      suite.harness.emulator.setOptions({ eventDelayMs: 150 });
      const abort = new AbortController();
      const stream = await suite.client.responses.create(
        { model: MODEL, input, stream: true },
        { signal: abort.signal },
      );
      const events = stream[Symbol.asyncIterator]();
      let responseId = '';
      for (;;) {
        const { value, done } = await events.next();
        if (done === true) {
          abort.abort();
          throw new Error(`the stream ended before its first ${until}`);
        }
        if (value.type === 'response.created') responseId = value.response.id;
        if (value.type === until) return { events, responseId, abort };
      }
    }

    it('retrieves a response still streaming as in_progress, with the output items done so far', {
      timeout: 30_000,
    }, async () => {
      let abort: AbortController | undefined;
      try {
        const started = await startPacedStream(
          '[scenario:text] still streaming',
          'response.output_text.delta',
        );
        abort = started.abort;
        const { events, responseId } = started;
        const retrieved = await suite.client.responses.retrieve(responseId);
        expect(retrieved).toMatchObject({ id: responseId, object: 'response', status: 'in_progress' });
        expect(Array.isArray(retrieved.output)).toBe(true);
        const items = await suite.client.responses.inputItems.list(responseId);
        expect(JSON.stringify(items.data)).toContain('still streaming');
        await expectNotFound(suite.otherClient.responses.retrieve(responseId), responseId);
        // It can be deleted once it has ended, not while it streams.
        const refused = await apiErrorOf(suite.client.responses.delete(responseId));
        expect(refused.status).toBe(400);
        expect(refused.code).toBe('response_in_progress');
        suite.harness.emulator.setOptions({ eventDelayMs: 0 });
        for (;;) if ((await events.next()).done === true) break;
        expect((await suite.client.responses.retrieve(responseId)).status).toBe('completed');
      } finally {
        abort?.abort();
        suite.harness.emulator.setOptions({ eventDelayMs: 0 });
      }
    });

    it('a streaming response whose client left is not retrievable as in_progress any more', {
      timeout: 30_000,
    }, async () => {
      let abort: AbortController | undefined;
      try {
        const started = await startPacedStream('[scenario:text] left early', 'response.created');
        abort = started.abort;
        const { responseId } = started;
        expect((await suite.client.responses.retrieve(responseId)).status).toBe('in_progress');
        abort.abort();
        await expect
          .poll(
            async () =>
              (await suite.client.responses.retrieve(responseId).catch((error: unknown) => error)) as object,
          )
          .toBeInstanceOf(OpenAI.NotFoundError);
      } finally {
        abort?.abort();
        suite.harness.emulator.setOptions({ eventDelayMs: 0 });
      }
    });

    it('deleting a response while a turn continues it: the failed turn does not bring it back', {
      timeout: 30_000,
    }, async () => {
      const created = await suite.client.responses.create({ model: MODEL, input: '[scenario:text] first' });
      suite.harness.emulator.setOptions({ eventDelayMs: 600_000 });
      const sentBefore = suite.harness.emulator.requests.length;
      const abort = new AbortController();
      const running = suite.client.responses
        .create(
          { model: MODEL, previous_response_id: created.id, input: '[scenario:text] second', stream: true },
          { signal: abort.signal },
        )
        .then(async (stream) => {
          for await (const _event of stream);
        })
        .catch(() => {});
      await until(() => suite.harness.emulator.requests.length > sentBefore);
      suite.harness.emulator.setOptions({ eventDelayMs: 0 });

      // While the turn runs, the response it continues is still there, and only its key may delete it.
      expect((await suite.client.responses.retrieve(created.id)).id).toBe(created.id);
      await expectNotFound(suite.otherClient.responses.delete(created.id), created.id);
      expect((await suite.client.responses.delete(created.id).asResponse()).status).toBe(200);
      await expectNotFound(suite.client.responses.retrieve(created.id), created.id);

      abort.abort();
      await running;
      await expectNotFound(suite.client.responses.retrieve(created.id), created.id);
      const continuation = await apiErrorOf(
        suite.client.responses.create({ model: MODEL, previous_response_id: created.id, input: 'and?' }),
      );
      expect(continuation.code).toBe('previous_response_not_found');
    });

    it('keeps the responses of WebSocket mode too, and refuses background: true there', TIMEOUT, async () => {
      const socket = await openResponsesSocket(suite.harness, suite.ownKey);
      try {
        const events = await createResponse(socket, { model: MODEL, input: '[scenario:text] over a socket' });
        const completed = events.find((event) => event.type === 'response.completed');
        const responseId = (completed?.response as { id: string } | undefined)?.id ?? '';
        expect(responseId).toMatch(/^resp_/);
        const retrieved = await suite.client.responses.retrieve(responseId);
        expect(retrieved.status).toBe('completed');
        expect(retrieved.output_text.length).toBeGreaterThan(0);
        await expectNotFound(suite.otherClient.responses.retrieve(responseId), responseId);

        const refused = await createResponse(socket, {
          model: MODEL,
          input: '[scenario:text] later',
          background: true,
        });
        expect(refused.at(-1)).toMatchObject({ type: 'error', status: 400 });
        expect(JSON.stringify(refused.at(-1))).toContain('background');
      } finally {
        socket.close();
      }
    });
  },
);

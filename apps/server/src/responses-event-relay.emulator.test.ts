import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';

const MODEL = 'gpt-5.4';

/** Resolves `promise`, or rejects after `ms` with `what` in the message. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The emulator sends a stream's first event at once and pauses before each later one: with a pause of
// ten minutes, the upstream has sent `response.created` and nothing else — as a model that reasons for
// long before its first output token (no summary) has. OpenAI streams `response.created` at once.
// (With `transport: 'auto'` a WebSocket turn may still be replayed over HTTP until its first output,
// so its events wait until then: see the provider's `ConversationCallOptions.onEvent`.)
describe.each(['auto', 'websocket', 'http'] as const)(
  'streams go out as the upstream answers, not when the first output comes (upstream %s)',
  (transport) => {
    const gateway = useSuiteGateway({ transport });

    /**
     * Runs `send` with the emulator pausing ten minutes after each stream's first event; the stream
     * `send` opens with the signal it gets is aborted afterwards and the pause taken back.
     */
    async function whilePaused(send: (signal: AbortSignal) => Promise<void>): Promise<void> {
      gateway.harness.emulator.setOptions({ eventDelayMs: 600_000 });
      const abort = new AbortController();
      try {
        await send(abort.signal);
      } finally {
        abort.abort();
        gateway.harness.emulator.setOptions({ eventDelayMs: 0 });
      }
    }

    const relaysAtOnce = transport !== 'auto';
    for (const turn of relaysAtOnce
      ? (['a first turn', 'a turn continuing an earlier response'] as const)
      : []) {
      it(`/v1/responses, ${turn}: the client gets response.created while the model has produced nothing yet`, {
        timeout: 30_000,
      }, async () => {
        gateway.harness.emulator.setOptions({ eventDelayMs: 0 });
        const previous =
          turn === 'a first turn'
            ? undefined
            : await gateway.client.responses.create({ model: MODEL, input: '[scenario:text] earlier' });
        await whilePaused(async (signal) => {
          const stream = await within(
            gateway.client.responses.create(
              {
                model: MODEL,
                input: '[scenario:text] think long',
                stream: true,
                ...(previous === undefined ? {} : { previous_response_id: previous.id }),
              },
              { signal },
            ),
            10_000,
            'response head',
          );
          const events = stream[Symbol.asyncIterator]();
          const first = await within(events.next(), 10_000, 'first event');
          expect(first.done).toBe(false);
          expect(first.value).toMatchObject({
            type: 'response.created',
            response: { status: 'in_progress' },
          });
          // Retrievable while it streams, as before.
          const id = (first.value as { response: { id: string } }).response.id;
          expect((await gateway.client.responses.retrieve(id)).status).toBe('in_progress');
        });
      });
    }

    it('/v1/responses: the head of the stream goes while the model has produced nothing yet', {
      timeout: 30_000,
    }, async () => {
      await whilePaused(async (signal) => {
        const { response } = await within(
          gateway.client.responses
            .create({ model: MODEL, input: '[scenario:text] think long', stream: true }, { signal })
            .withResponse(),
          10_000,
          'response head',
        );
        expect(response.status).toBe(200);
      });
    });

    it('/v1/responses: events still arrive in order and complete, each once', {
      timeout: 30_000,
    }, async () => {
      gateway.harness.emulator.setOptions({ eventDelayMs: 5 });
      try {
        const stream = await gateway.client.responses.create({
          model: MODEL,
          input: '[scenario:text] hi',
          stream: true,
        });
        const sequence: number[] = [];
        const types: string[] = [];
        for await (const event of stream) {
          sequence.push(event.sequence_number);
          types.push(event.type);
        }
        expect(types[0]).toBe('response.created');
        expect(types.at(-1)).toBe('response.completed');
        expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
        expect(new Set(sequence).size).toBe(sequence.length);
      } finally {
        gateway.harness.emulator.setOptions({ eventDelayMs: 0 });
      }
    });

    // The same for Chat Completions (and the other dialects, which share its path): the head of a stream goes
    // once the upstream accepted the request, not with the first output, so the client's own timeouts and
    // connection handling start as they do against OpenAI.
    it('chat completions: the stream opens while the model has produced nothing yet, then streams as usual', {
      timeout: 30_000,
    }, async () => {
      await whilePaused(async (signal) => {
        const { response } = await within(
          gateway.client.chat.completions
            .create(
              {
                model: MODEL,
                messages: [{ role: 'user', content: '[scenario:text] think long' }],
                stream: true,
              },
              { signal },
            )
            .withResponse(),
          10_000,
          'response head',
        );
        expect(response.status).toBe(200);
      });
      const stream = await gateway.client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: '[scenario:text] hi' }],
        stream: true,
      });
      let text = '';
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        finish ??= chunk.choices[0]?.finish_reason;
      }
      expect(text.length).toBeGreaterThan(0);
      expect(finish).toBe('stop');
    });

    it('chat completions: a response that fails after it started is an error in the stream, not an HTTP status', {
      timeout: 30_000,
    }, async () => {
      const { data: stream, response } = await gateway.client.chat.completions
        .create({ model: MODEL, messages: [{ role: 'user', content: '[scenario:failed] hi' }], stream: true })
        .withResponse();
      expect(response.status).toBe(200);
      const failure = await (async () => {
        for await (const _chunk of stream);
      })().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(OpenAI.APIError);
    });
  },
);

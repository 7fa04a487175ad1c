import type { RecordedRequest } from '@codetether/emulator';
import type OpenAI from 'openai';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GatewayHarness } from './__fixtures__/gateway-harness.js';
import { createResponse, openResponsesSocket } from './__fixtures__/responses-websocket-client.js';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';

const TIMEOUT = { timeout: 30_000 };

function responsesRequests(harness: GatewayHarness): RecordedRequest[] {
  return harness.emulator.requests.filter(
    (request) => request.path.endsWith('/responses') && request.method === 'POST',
  );
}

/** The input items of an upstream request body (empty when there are none). */
function inputOf(request: RecordedRequest | undefined): Record<string, unknown>[] {
  const input = (request?.body as { input?: unknown } | undefined)?.input;
  return Array.isArray(input) ? (input as Record<string, unknown>[]) : [];
}

/** Whether `encrypted_content` appears anywhere in a value the client received. */
function showsEncryptedContent(value: unknown): boolean {
  return JSON.stringify(value).includes('encrypted_content');
}

/** The reasoning items of a response's output. */
function reasoningOf(
  response: OpenAI.Responses.Response | undefined,
): OpenAI.Responses.ResponseReasoningItem[] {
  return (response?.output ?? []).filter(
    (item): item is OpenAI.Responses.ResponseReasoningItem => item.type === 'reasoning',
  );
}

describe.each([
  { transport: 'websocket', auth: 'chatgpt' },
  { transport: 'http', auth: 'chatgpt' },
] as const)(
  'encrypted reasoning on a conversation over $transport upstream ($auth)',
  ({ transport, auth }) => {
    const gateway = useSuiteGateway({ transport, auth });
    beforeEach(() => {
      gateway.harness.emulator.clearRequests();
      gateway.harness.emulator.setOptions({ eventDelayMs: 0 });
    });

    it(
      'is hidden from a client that did not ask, and still replayed upstream in the next turns',
      TIMEOUT,
      async () => {
        const conversation = await gateway.client.conversations.create({});
        // Slow events: the response is retrieved while it streams, once its reasoning item is done.
        gateway.harness.emulator.setOptions({ eventDelayMs: 40 });
        const stream = await gateway.client.responses.create({
          model: 'gpt-5.4',
          input: '[scenario:reasoning] first question',
          conversation: conversation.id,
          stream: true,
        });
        const events: OpenAI.Responses.ResponseStreamEvent[] = [];
        let snapshot: OpenAI.Responses.Response | undefined;
        let first: OpenAI.Responses.Response | undefined;
        for await (const event of stream) {
          events.push(event);
          if (
            event.type === 'response.output_item.done' &&
            event.item.type === 'reasoning' &&
            first === undefined
          ) {
            const responseId = events.find((seen) => seen.type === 'response.created');
            if (responseId?.type === 'response.created')
              snapshot = await gateway.client.responses.retrieve(responseId.response.id);
          }
          if (event.type === 'response.completed') first = event.response;
        }
        gateway.harness.emulator.setOptions({ eventDelayMs: 0 });
        expect(
          events.some(
            (event) => event.type === 'response.output_item.done' && event.item.type === 'reasoning',
          ),
        ).toBe(true);
        expect(showsEncryptedContent(events)).toBe(false);
        expect(snapshot?.status).toBe('in_progress');
        expect(reasoningOf(snapshot)).toHaveLength(1);
        expect(showsEncryptedContent(snapshot)).toBe(false);
        expect(reasoningOf(first)).toHaveLength(1);

        const second = await gateway.client.responses.create({
          model: 'gpt-5.4',
          input: '[scenario:reasoning] second question',
          conversation: conversation.id,
        });
        expect(reasoningOf(second)).toHaveLength(1);
        expect(showsEncryptedContent(second)).toBe(false);
        for (const id of [first?.id ?? '', second.id])
          expect(showsEncryptedContent(await gateway.client.responses.retrieve(id))).toBe(false);

        await gateway.client.responses.create({
          model: 'gpt-5.4',
          input: '[scenario:text] third question',
          conversation: conversation.id,
        });

        // The conversation keeps the reasoning with its encrypted content.
        const stored = await gateway.client.conversations.items.list(conversation.id, {
          order: 'asc',
          include: ['reasoning.encrypted_content'],
        });
        const keptReasoning = stored.data.filter((item) => item.type === 'reasoning');
        expect(keptReasoning).toHaveLength(2);
        for (const item of keptReasoning)
          expect(item).toMatchObject({ encrypted_content: expect.any(String) });

        const upstream = responsesRequests(gateway.harness);
        expect(upstream).toHaveLength(3);
        const [turn1, turn2, turn3] = upstream;
        for (const request of upstream)
          expect((request.body as { include?: unknown }).include).toContain('reasoning.encrypted_content');
        if (transport === 'websocket') {
          // Continued over the warm socket: only the new message after each turn.
          expect(turn2?.previousResponseId).toBe(first?.id);
          expect(turn3?.previousResponseId).toBe(second.id);
          for (const later of [turn2, turn3]) {
            expect(later?.connectionId).toBe(turn1?.connectionId);
            expect(later?.inputItems).toBe(1);
          }
        } else {
          // Over HTTP each turn carries the whole conversation, reasoning with its encrypted content.
          const replayed = (request: RecordedRequest | undefined) =>
            inputOf(request).filter((item) => item.type === 'reasoning');
          expect(replayed(turn2)).toEqual([
            expect.objectContaining({ encrypted_content: keptReasoning[0]?.encrypted_content }),
          ]);
          expect(replayed(turn3)).toEqual([
            expect.objectContaining({ encrypted_content: keptReasoning[0]?.encrypted_content }),
            expect.objectContaining({ encrypted_content: keptReasoning[1]?.encrypted_content }),
          ]);
        }
      },
    );

    it('is shown to a client that asks for it, streamed and not', TIMEOUT, async () => {
      const conversation = await gateway.client.conversations.create({});
      const stream = await gateway.client.responses.create({
        model: 'gpt-5.4',
        input: '[scenario:reasoning] first question',
        conversation: conversation.id,
        include: ['reasoning.encrypted_content'],
        stream: true,
      });
      let first: OpenAI.Responses.Response | undefined;
      let doneItem: OpenAI.Responses.ResponseOutputItem | undefined;
      for await (const event of stream) {
        if (event.type === 'response.output_item.done' && event.item.type === 'reasoning')
          doneItem = event.item;
        if (event.type === 'response.completed') first = event.response;
      }
      expect(doneItem).toMatchObject({ encrypted_content: expect.any(String) });
      expect(reasoningOf(first)[0]?.encrypted_content).toEqual(expect.any(String));
      const second = await gateway.client.responses.create({
        model: 'gpt-5.4',
        input: '[scenario:reasoning] second question',
        conversation: conversation.id,
        include: ['reasoning.encrypted_content'],
      });
      expect(reasoningOf(second)[0]?.encrypted_content).toEqual(expect.any(String));
      const retrieved = await gateway.client.responses.retrieve(second.id);
      expect(reasoningOf(retrieved)[0]?.encrypted_content).toBe(reasoningOf(second)[0]?.encrypted_content);
    });
  },
);

describe('encrypted reasoning on a conversation over the gateway’s WebSocket mode', () => {
  const gateway = useSuiteGateway({ transport: 'websocket', auth: 'chatgpt' });

  it('is left out of the events unless response.create asks for it', TIMEOUT, async () => {
    const conversation = await gateway.client.conversations.create({});
    const socket = await openResponsesSocket(gateway.harness);
    try {
      const hidden = await createResponse(socket, {
        model: 'gpt-5.4',
        input: '[scenario:reasoning] over the socket',
        conversation: conversation.id,
      });
      expect(hidden.at(-1)?.type).toBe('response.completed');
      expect(
        hidden.some((event) => (event.item as { type?: string } | undefined)?.type === 'reasoning'),
      ).toBe(true);
      expect(showsEncryptedContent(hidden)).toBe(false);
      const shown = await createResponse(socket, {
        model: 'gpt-5.4',
        input: '[scenario:reasoning] and again',
        conversation: conversation.id,
        include: ['reasoning.encrypted_content'],
      });
      expect(shown.at(-1)?.type).toBe('response.completed');
      expect(shown.find((event) => event.type === 'response.output_item.done')?.item).toMatchObject({
        type: 'reasoning',
        encrypted_content: expect.any(String),
      });
    } finally {
      socket.close();
    }
    const stored = await gateway.client.conversations.items.list(conversation.id, {
      include: ['reasoning.encrypted_content'],
    });
    const reasoning = stored.data.filter((item) => item.type === 'reasoning');
    expect(reasoning).toHaveLength(2);
    for (const item of reasoning) expect(item).toMatchObject({ encrypted_content: expect.any(String) });
  });
});

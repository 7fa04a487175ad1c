import type { RecordedRequest } from '@codetether/emulator';
import type { ResponseItem, StreamChunk, ToolDefinition } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import {
  collect,
  providerFor,
  type TestAuthMode,
  useEmulatorHarness,
} from './__fixtures__/emulator-harness.js';
import type { TransportMode } from './configuration.js';
import type { Conversation, ConversationOptions } from './conversation.js';
import { CodexProviderError } from './errors.js';

const readFileTool: ToolDefinition = {
  name: 'read_file',
  description: 'Reads a file',
  parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

const harness = useEmulatorHarness();
const TIMEOUT = { timeout: 30_000 };

function conversationFor(
  mode: TestAuthMode,
  transport: TransportMode,
  options: Partial<ConversationOptions> = {},
): Conversation {
  const provider = harness.track(providerFor(harness.emulator, mode, transport));
  return provider.createConversation({ model: 'gpt-5.4', instructions: 'You are terse.', ...options });
}

/** The `response.create` frames and HTTP bodies of `/responses` requests (warm-ups included). */
function turnRequests(): RecordedRequest[] {
  return harness.responsesRequests().filter((request) => request.body !== undefined);
}

function bodyOf(request: RecordedRequest | undefined): Record<string, unknown> {
  return (request?.body ?? {}) as Record<string, unknown>;
}

function doneOf(chunks: StreamChunk[]): Extract<StreamChunk, { type: 'done' }> {
  const done = chunks.at(-1);
  if (done?.type !== 'done') throw new Error(`expected a done chunk, got ${JSON.stringify(done)}`);
  return done;
}

/** Answers every tool call of a turn's chunks with a result of `size` characters. */
function toolResults(chunks: StreamChunk[], size = 64): ResponseItem[] {
  return chunks
    .filter((chunk) => chunk.type === 'tool-call-start')
    .map((chunk) => ({ type: 'function_call_output', call_id: chunk.id, output: 'x'.repeat(size) }));
}

const authModes: TestAuthMode[] = ['chatgpt', 'api-key'];

describe.each(authModes)('conversation, auth %s', (mode) => {
  it(
    'runs a 20-turn tool loop over one WebSocket, each turn after the first sending only its new items',
    TIMEOUT,
    async () => {
      const conversation = conversationFor(mode, 'websocket', {
        tools: [readFileTool],
        toolChoice: 'required',
      });
      let chunks = await collect(conversation.send('Read every file.'));
      const responseIds = [doneOf(chunks).responseId];
      for (let turn = 2; turn <= 20; turn += 1) {
        chunks = await collect(conversation.send(toolResults(chunks)));
        responseIds.push(doneOf(chunks).responseId);
      }
      const requests = turnRequests();
      expect(requests).toHaveLength(20);
      expect(requests[0]?.previousResponseId).toBeUndefined();
      expect(requests[0]?.inputItems).toBe(1);
      for (const [index, request] of requests.entries()) {
        expect(request.transport).toBe('websocket');
        expect(request.connectionId).toBe(requests[0]?.connectionId);
        if (index === 0) continue;
        expect(request.previousResponseId).toBe(responseIds[index - 1]);
        expect(request.inputItems).toBe(1);
      }
      // The history holds everything: user message, then per turn a call and its result, then the last call.
      expect(conversation.history).toHaveLength(1 + 19 * 2 + 1);
      expect(conversation.history.some((item) => 'id' in item)).toBe(false);
    },
  );

  it('sends the full input after a dropped socket, then continues again', TIMEOUT, async () => {
    const conversation = conversationFor(mode, 'websocket', {
      tools: [readFileTool],
      toolChoice: 'required',
    });
    let chunks = await collect(conversation.send('Read every file.'));
    for (let turn = 2; turn <= 8; turn += 1) {
      if (turn === 7) expect(harness.emulator.dropConnections()).toBeGreaterThan(0);
      chunks = await collect(conversation.send(toolResults(chunks)));
      expect(chunks.some((chunk) => chunk.type === 'error')).toBe(false);
    }
    const requests = turnRequests();
    expect(requests).toHaveLength(8);
    const seventh = requests[6];
    expect(seventh?.previousResponseId).toBeUndefined();
    expect(seventh?.inputItems).toBe(1 + 6 * 2);
    expect(seventh?.connectionId).not.toBe(requests[5]?.connectionId);
    expect(requests[7]?.previousResponseId).toBeDefined();
    expect(requests[7]?.inputItems).toBe(1);
    expect(requests[7]?.connectionId).toBe(seventh?.connectionId);
  });

  it('resends in full, invisibly, when the server lost the previous response', TIMEOUT, async () => {
    const conversation = conversationFor(mode, 'websocket', {
      tools: [readFileTool],
      toolChoice: 'required',
    });
    let chunks = await collect(conversation.send('Read every file.'));
    chunks = await collect(conversation.send(toolResults(chunks)));
    harness.emulator.injectPreviousResponseNotFound();
    chunks = await collect(conversation.send(toolResults(chunks)));
    expect(chunks.filter((chunk) => chunk.type === 'error')).toEqual([]);
    expect(doneOf(chunks).finishReason).toBe('tool-calls');
    chunks = await collect(conversation.send(toolResults(chunks)));
    const requests = turnRequests();
    expect(requests.map((request) => [request.previousResponseId !== undefined, request.inputItems])).toEqual(
      [
        [false, 1],
        [true, 1],
        [true, 1], // refused: previous_response_not_found
        [false, 5],
        [true, 1],
      ],
    );
  });

  it(
    'falls back to HTTP mid-conversation with the full input, without previous_response_id',
    TIMEOUT,
    async () => {
      const conversation = conversationFor(mode, 'auto', { tools: [readFileTool], toolChoice: 'required' });
      let chunks = await collect(conversation.send('Read every file.'));
      chunks = await collect(conversation.send(toolResults(chunks)));
      harness.emulator.setOptions({ websocket: false });
      harness.emulator.dropConnections();
      chunks = await collect(conversation.send(toolResults(chunks)));
      chunks = await collect(conversation.send(toolResults(chunks)));
      expect(doneOf(chunks).finishReason).toBe('tool-calls');
      const requests = turnRequests();
      expect(requests.map((request) => request.transport)).toEqual([
        'websocket',
        'websocket',
        'http',
        'http',
      ]);
      expect(requests.map((request) => request.previousResponseId !== undefined)).toEqual([
        false,
        true,
        false,
        false,
      ]);
      expect(requests.map((request) => request.inputItems)).toEqual([1, 1, 5, 7]);
    },
  );

  it(
    'sends every reasoning item back, with encrypted_content and without ids, on every turn',
    TIMEOUT,
    async () => {
      const conversation = conversationFor(mode, 'http');
      for (let turn = 1; turn <= 4; turn += 1) {
        const chunks = await collect(conversation.send(`[scenario:reasoning] question ${turn}`));
        expect(chunks.some((chunk) => chunk.type === 'error')).toBe(false);
        const reasoning = doneOf(chunks).outputItems?.find((item) => item.type === 'reasoning');
        expect(reasoning?.encrypted_content).toEqual(expect.any(String));
      }
      const requests = turnRequests();
      for (const [index, request] of requests.entries()) {
        const sent = (bodyOf(request).input as ResponseItem[]).filter((item) => item.type === 'reasoning');
        expect(sent).toHaveLength(index);
        for (const item of sent) {
          expect(item.encrypted_content).toEqual(expect.any(String));
          expect(item.id).toBeUndefined();
        }
        expect(bodyOf(request).include).toEqual(['reasoning.encrypted_content']);
        expect(request.previousResponseId).toBeUndefined();
      }
    },
  );

  it(
    'compacts on request: the history shrinks and the conversation goes on with a fresh chain',
    TIMEOUT,
    async () => {
      const conversation = conversationFor(mode, 'websocket');
      for (let turn = 1; turn <= 6; turn += 1)
        await collect(conversation.send(`[scenario:reasoning] step ${turn}`));
      const before = conversation.history.length;
      await conversation.compact();
      const compacted = conversation.history;
      expect(compacted.length).toBeLessThan(before);
      expect(compacted.some((item) => item.type === 'compaction')).toBe(true);
      const first = await collect(conversation.send('And now?'));
      expect(doneOf(first).finishReason).toBe('stop');
      await collect(conversation.send('Go on.'));
      const requests = turnRequests();
      const [afterCompaction, next] = requests.slice(-2);
      expect(afterCompaction?.previousResponseId).toBeUndefined();
      expect(afterCompaction?.inputItems).toBe(compacted.length + 1);
      expect(next?.previousResponseId).toBeDefined();
      expect(next?.inputItems).toBe(1);
      const compactRequest = harness.emulator.requests.find((request) =>
        request.path.endsWith('/responses/compact'),
      );
      expect((compactRequest?.body as { input?: unknown[] } | undefined)?.input).toHaveLength(before);
    },
  );

  it('compacts by itself once the last input passes the share of the context window', TIMEOUT, async () => {
    const onWarning: string[] = [];
    const provider = harness.track(
      providerFor(harness.emulator, mode, 'websocket', { onWarning: (message) => onWarning.push(message) }),
    );
    const conversation = provider.createConversation({
      model: 'gpt-5.4',
      autoCompact: { contextWindow: 400, share: 0.5 },
    });
    await collect(conversation.send(`Tell me about ${'history '.repeat(200)}`));
    expect(conversation.lastUsage?.promptTokens).toBeDefined();
    await collect(conversation.send('Short follow-up.'));
    const compactRequests = harness.emulator.requests.filter((request) =>
      request.path.endsWith('/responses/compact'),
    );
    expect(compactRequests).toHaveLength(1);
    expect(conversation.history.some((item) => item.type === 'compaction')).toBe(true);
    // The emulator keeps the long user message, so the compacted input is still over the tiny window:
    // the conversation says it will not compact again right away (and nothing failed).
    expect(onWarning).toHaveLength(1);
    expect(onWarning[0]).toMatch(/^After compaction the conversation still sends \d+ input tokens/);
  });
});

describe('conversation: backends and wires', () => {
  it('never sends previous_response_id over HTTP on the ChatGPT backend', TIMEOUT, async () => {
    const conversation = conversationFor('chatgpt', 'http', {
      tools: [readFileTool],
      toolChoice: 'required',
    });
    let chunks = await collect(conversation.send('Read every file.'));
    chunks = await collect(conversation.send(toolResults(chunks)));
    await collect(conversation.send(toolResults(chunks)));
    const requests = turnRequests();
    expect(requests.map((request) => request.previousResponseId)).toEqual([undefined, undefined, undefined]);
    expect(requests.map((request) => request.inputItems)).toEqual([1, 3, 5]);
  });

  it('continues over HTTP with an API key when responses are stored', TIMEOUT, async () => {
    const conversation = conversationFor('api-key', 'http', {
      tools: [readFileTool],
      toolChoice: 'required',
      store: true,
    });
    let chunks = await collect(conversation.send('Read every file.'));
    chunks = await collect(conversation.send(toolResults(chunks)));
    await collect(conversation.send(toolResults(chunks)));
    const requests = turnRequests();
    expect(requests.map((request) => bodyOf(request).store)).toEqual([true, true, true]);
    expect(requests.map((request) => request.previousResponseId !== undefined)).toEqual([false, true, true]);
    expect(requests.map((request) => request.inputItems)).toEqual([1, 1, 1]);
  });

  it('sends every turn in full when continuation is off', TIMEOUT, async () => {
    const conversation = conversationFor('chatgpt', 'websocket', {
      tools: [readFileTool],
      toolChoice: 'required',
      continuation: false,
    });
    let chunks = await collect(conversation.send('Read every file.'));
    chunks = await collect(conversation.send(toolResults(chunks)));
    await collect(conversation.send(toolResults(chunks)));
    const requests = turnRequests();
    expect(requests.map((request) => request.previousResponseId)).toEqual([undefined, undefined, undefined]);
    expect(new Set(requests.map((request) => request.connectionId)).size).toBe(1);
  });

  it('reconnects with the full input after the server ends a socket for its age', TIMEOUT, async () => {
    harness.emulator.setOptions({ maxConnectionAgeMs: 400 });
    const conversation = conversationFor('chatgpt', 'websocket', {
      tools: [readFileTool],
      toolChoice: 'required',
    });
    let chunks = await collect(conversation.send('Read every file.'));
    chunks = await collect(conversation.send(toolResults(chunks)));
    await new Promise((resolve) => setTimeout(resolve, 600));
    chunks = await collect(conversation.send(toolResults(chunks)));
    expect(chunks.filter((chunk) => chunk.type === 'error')).toEqual([]);
    chunks = await collect(conversation.send(toolResults(chunks)));
    const requests = turnRequests();
    expect(requests.map((request) => [request.previousResponseId !== undefined, request.inputItems])).toEqual(
      [
        [false, 1],
        [true, 1],
        [false, 5],
        [true, 1],
      ],
    );
    expect(requests[2]?.connectionId).not.toBe(requests[1]?.connectionId);
  });

  it('warms up with generate:false, then the first turn continues it', TIMEOUT, async () => {
    const conversation = conversationFor('chatgpt', 'websocket', { warmUp: true });
    const chunks = await collect(conversation.send('[scenario:text] hello'));
    expect(doneOf(chunks).finishReason).toBe('stop');
    const [warmUp, first] = turnRequests();
    expect(bodyOf(warmUp).generate).toBe(false);
    expect(warmUp?.inputItems).toBe(0);
    expect(first?.previousResponseId).toBeDefined();
    expect(first?.inputItems).toBe(1);
    expect(first?.connectionId).toBe(warmUp?.connectionId);
  });

  it('sends the conversation id as session-id, thread-id and prompt_cache_key', TIMEOUT, async () => {
    const conversation = conversationFor('chatgpt', 'websocket', { id: 'conversation-42' });
    await collect(conversation.send('hi'));
    const [request] = turnRequests();
    expect(request?.headers['session-id']).toBe('conversation-42');
    expect(request?.headers['thread-id']).toBe('conversation-42');
    expect(bodyOf(request).prompt_cache_key).toBe('conversation-42');
    expect(conversation.id).toBe('conversation-42');
  });

  it('carries reasoning through stateless completeStream calls via outputItems', TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'chatgpt', 'http'));
    const first = await provider.complete({
      model: 'gpt-5.4',
      messages: [{ role: 'user', content: '[scenario:reasoning] think' }],
    });
    expect(first.responseId).toEqual(expect.any(String));
    expect(first.outputItems?.some((item) => item.type === 'reasoning')).toBe(true);
    const outputItems = first.outputItems ?? [];
    await provider.complete({
      model: 'gpt-5.4',
      messages: [
        { role: 'user', content: '[scenario:reasoning] think' },
        { role: 'assistant', content: first.text, outputItems },
        { role: 'user', content: 'and again' },
      ],
    });
    const second = bodyOf(turnRequests()[1]).input as ResponseItem[];
    expect(second.map((item) => item.type)).toEqual([
      'message',
      ...outputItems.map((item) => item.type),
      'message',
    ]);
    const reasoning = second.find((item) => item.type === 'reasoning');
    expect(reasoning?.id).toBeUndefined();
    expect(reasoning?.encrypted_content).toBe(
      outputItems.find((item) => item.type === 'reasoning')?.encrypted_content,
    );
  });
});

describe('conversation: misuse', () => {
  it('refuses a second turn while one is running, and keeps the history whole', TIMEOUT, async () => {
    harness.emulator.setOptions({ tokenDelayMs: 20 });
    const conversation = conversationFor('chatgpt', 'websocket');
    const firstTurn = conversation.send('[scenario:text] first')[Symbol.asyncIterator]();
    const firstChunk = await firstTurn.next();
    expect(firstChunk.done).toBe(false);
    const error = await collect(conversation.send('second')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CodexProviderError);
    expect((error as CodexProviderError).code).toBe('conversation-busy');
    for (let next = await firstTurn.next(); next.done !== true; next = await firstTurn.next()) {}
    expect(conversation.history.map((item) => item.role)).toEqual(['user', 'assistant']);
    await collect(conversation.send('second'));
    expect(conversation.history).toHaveLength(4);
  });

  it('close() between turns closes the conversation’s idle WebSocket', TIMEOUT, async () => {
    const conversation = conversationFor('chatgpt', 'websocket');
    await collect(conversation.send('[scenario:text] first'));
    await conversation.close();
    // Nothing left to drop: the socket's closing handshake is over once close() resolves.
    expect(harness.emulator.dropConnections()).toBe(0);
  });

  it('close() mid-stream aborts the turn cleanly and leaves the history as it was', TIMEOUT, async () => {
    harness.emulator.setOptions({ tokenDelayMs: 20 });
    const conversation = conversationFor('chatgpt', 'websocket');
    await collect(conversation.send('[scenario:text] first'));
    const chunks: StreamChunk[] = [];
    for await (const chunk of conversation.send('[scenario:text] second')) {
      chunks.push(chunk);
      if (chunks.length === 1) await conversation.close();
    }
    expect(chunks.at(-1)).toMatchObject({ type: 'error', code: 'aborted' });
    expect(conversation.history).toHaveLength(2);
    const afterClose = await collect(conversation.send('third')).catch((caught: unknown) => caught);
    expect(afterClose).toMatchObject({ code: 'invalid-request' });
  });

  it(
    'a turn the caller stops reading is not recorded, and the next turn sends the full input',
    TIMEOUT,
    async () => {
      const conversation = conversationFor('chatgpt', 'websocket');
      await collect(conversation.send('[scenario:text] first'));
      for await (const chunk of conversation.send('[scenario:text] second')) {
        if (chunk.type === 'text') break;
      }
      expect(conversation.history).toHaveLength(2);
      await collect(conversation.send('third'));
      const last = turnRequests().at(-1);
      expect(last?.previousResponseId).toBeUndefined();
      expect(last?.inputItems).toBe(3);
    },
  );
});

describe('reasoning summary, verbosity and service tier', () => {
  it(
    'a conversation sends them; verbosity is dropped, with one warning, where the model lacks it',
    TIMEOUT,
    async () => {
      const conversation = conversationFor('chatgpt', 'websocket', {
        reasoningSummary: 'concise',
        verbosity: 'high',
        serviceTier: 'flex',
      });
      await collect(conversation.send('[scenario:text] first'));
      expect(bodyOf(turnRequests().at(-1))).toMatchObject({
        reasoning: { summary: 'concise' },
        text: { verbosity: 'high' },
        service_tier: 'flex',
      });
      const warnings: string[] = [];
      const provider = harness.track(
        providerFor(harness.emulator, 'chatgpt', 'websocket', {
          onWarning: (message) => warnings.push(message),
        }),
      );
      const codex = provider.createConversation({ model: 'gpt-5.1-codex', verbosity: 'low' });
      await collect(codex.send('[scenario:text] one'));
      await collect(codex.send('[scenario:text] two'));
      expect(bodyOf(turnRequests().at(-1))).not.toHaveProperty('text');
      expect(warnings.filter((warning) => warning.includes('text.verbosity'))).toHaveLength(1);
      const stateless = await collect(
        provider.completeStream({
          model: 'gpt-5.1-codex',
          messages: [{ role: 'user', content: 'hi' }],
          verbosity: 'low',
        }),
      );
      expect(stateless.at(-1)?.type).toBe('done');
      expect(bodyOf(turnRequests().at(-1))).not.toHaveProperty('text');
    },
  );
});

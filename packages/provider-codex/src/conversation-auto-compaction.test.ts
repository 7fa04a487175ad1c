import { describe, expect, it } from 'vitest';
import { collect } from './__fixtures__/emulator-harness.js';
import { eventsThen, fakeTransport, responseOf } from './__fixtures__/fake-transport.js';
import { UNREACHABLE_ENDPOINTS } from './__fixtures__/unreachable-endpoints.js';
import { createCodexProvider } from './provider.js';

/** The events of a text answer whose usage reports `inputTokens` input tokens. */
function answerWithInput(index: number, inputTokens: number): unknown[] {
  const message = {
    id: `msg_${index}`,
    type: 'message',
    role: 'assistant',
    content: [{ type: 'output_text', text: 'ok' }],
  };
  return [
    { type: 'response.output_item.done', output_index: 0, item: message },
    {
      type: 'response.completed',
      response: {
        id: `resp_${index}`,
        status: 'completed',
        output: [message],
        usage: { input_tokens: inputTokens, output_tokens: 2, total_tokens: inputTokens + 2 },
      },
    },
  ];
}

/**
 * A conversation with a 1,000-token context window (compacting at 800) whose responses report the input
 * token counts of `inputs` in turn; its compaction endpoint answers a one-item history and is counted.
 */
function conversationReporting(inputs: readonly number[]) {
  const compactions: string[] = [];
  const warnings: string[] = [];
  const compactFetch: typeof fetch = async (url) => {
    compactions.push(String(url));
    return new Response(JSON.stringify({ output: [{ type: 'compaction', encrypted_content: 'opaque' }] }));
  };
  const provider = createCodexProvider({
    ...UNREACHABLE_ENDPOINTS,
    auth: { type: 'api-key', apiKey: 'sk-test' },
    transport: 'http',
    httpTransport: fakeTransport(async (_request, index) =>
      responseOf('http', eventsThen(answerWithInput(index, inputs[index] ?? 0))),
    ),
    fetch: compactFetch,
    home: false,
    onWarning: (message) => warnings.push(message),
  });
  const conversation = provider.createConversation({
    model: 'gpt-5.4',
    autoCompact: { contextWindow: 1_000, share: 0.8 },
  });
  /** Sends `turns` turns; returns the number of compactions before each. */
  const run = async (turns: number): Promise<number[]> => {
    const before: number[] = [];
    for (let turn = 0; turn < turns; turn += 1) {
      const count = compactions.length;
      await collect(conversation.send(`turn ${turn}`));
      before.push(compactions.length - count);
    }
    return before;
  };
  return { run, warnings };
}

describe('automatic compaction whose result stays large', () => {
  it('compacts once, not before every turn, while the compacted input stays above the threshold', async () => {
    const { run, warnings } = conversationReporting([900, 900, 905, 910, 920, 930]);
    expect(await run(6)).toEqual([0, 1, 0, 0, 0, 0]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('900');
  });

  it('compacts again once the input has grown halfway from the compacted size to the context window', async () => {
    // Compacted input 900: the next compaction waits for 950 tokens.
    const { run } = conversationReporting([900, 900, 940, 950, 900, 960, 990]);
    expect(await run(7)).toEqual([0, 1, 0, 0, 1, 0, 1]);
  });

  it('compacts every time the threshold is passed while compaction works', async () => {
    const { run, warnings } = conversationReporting([850, 300, 820, 300, 500]);
    expect(await run(5)).toEqual([0, 1, 0, 1, 0]);
    expect(warnings).toEqual([]);
  });
});

import type { ResponseItem } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { fakeTransport } from './__fixtures__/fake-transport.js';
import { UNREACHABLE_ENDPOINTS } from './__fixtures__/unreachable-endpoints.js';
import { createCodexProvider } from './provider.js';

const history: ResponseItem[] = [
  { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'the question' }] },
  { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'the answer' }] },
];

/** A conversation whose compaction endpoint answers `body` (HTTP 200). */
function conversationCompactedWith(body: unknown) {
  const compactFetch: typeof fetch = async (url) => {
    if (String(url).endsWith('/responses/compact')) return new Response(JSON.stringify(body));
    return new Response('{}', { status: 404 });
  };
  const provider = createCodexProvider({
    ...UNREACHABLE_ENDPOINTS,
    auth: { type: 'api-key', apiKey: 'sk-test' },
    transport: 'http',
    httpTransport: fakeTransport(async () => {
      throw new Error('no turn is sent in these tests');
    }),
    fetch: compactFetch,
    home: false,
  });
  return provider.createConversation({ model: 'gpt-5.4', history });
}

describe('compaction against a hostile upstream', () => {
  it('an empty compacted history is refused and the history kept', async () => {
    const conversation = conversationCompactedWith({ output: [] });
    await expect(conversation.compact()).rejects.toMatchObject({ code: 'upstream-error' });
    expect(conversation.history).toEqual(history);
  });

  it('a compacted history of well-formed items replaces the history', async () => {
    const compacted = [{ type: 'compaction', encrypted_content: 'opaque' }];
    const conversation = conversationCompactedWith({ output: compacted });
    await conversation.compact();
    expect(conversation.history).toEqual(compacted);
  });
});

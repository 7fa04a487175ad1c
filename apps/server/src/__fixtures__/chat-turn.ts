import { expect } from 'vitest';
import type { GatewayHarness } from './gateway-harness.js';

/** A chat message as a client keeps it. */
export interface ClientChatMessage {
  role: string;
  content: string;
}

/**
 * Sends one non-streamed chat turn to the gateway (status 200 expected); resolves the messages the
 * client holds after the answer (its messages plus the assistant's).
 *
 * @param harness - the gateway under test
 * @param turn - the client key, its session header (if any) and the messages
 */
export async function sendChatTurn(
  harness: GatewayHarness,
  turn: { key: string; sessionId?: string; messages: ClientChatMessage[] },
): Promise<ClientChatMessage[]> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${turn.key}`,
    'content-type': 'application/json',
  };
  if (turn.sessionId !== undefined) headers['x-session-id'] = turn.sessionId;
  const response = await fetch(`${harness.baseUrl}/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'gpt-5.4', messages: turn.messages }),
  });
  const answer = (await response.json()) as { choices: { message: { content: string } }[] };
  expect(response.status, JSON.stringify(answer)).toBe(200);
  return [...turn.messages, { role: 'assistant', content: answer.choices[0]?.message.content ?? '' }];
}

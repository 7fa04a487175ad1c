import type { Emulator } from '@codetether/emulator';
import type { TransportRequest } from '@codetether/responses-protocol';

/** Headers a ChatGPT-backend caller sends, with a fresh emulator token. */
export function chatgptHeaders(emulator: Emulator): Record<string, string> {
  const tokens = emulator.issueTokens();
  return {
    Authorization: `Bearer ${tokens.accessToken}`,
    'chatgpt-account-id': tokens.accountId,
    originator: 'codex_cli_rs',
    'User-Agent': 'codetether-transport-ws-test/1.0',
    'OpenAI-Beta': 'responses_websockets=2026-02-06',
  };
}

/** A Responses HTTP body (with `stream: true`) for one user message. */
export function userTurnBody(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'gpt-5.4',
    instructions: 'You are a test.',
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }],
    stream: true,
    store: false,
    ...extra,
  };
}

/** A full request against the emulator's ChatGPT backend. */
export function chatgptRequest(
  emulator: Emulator,
  text: string,
  extra: Partial<TransportRequest> = {},
): TransportRequest {
  return {
    url: `${emulator.chatgptBaseUrl}/responses`,
    headers: chatgptHeaders(emulator),
    body: userTurnBody(text),
    ...extra,
  };
}

/** Reads every event of an iterable into an array. */
export async function collectEvents<T>(events: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const event of events) result.push(event);
  return result;
}

/** Resolves with the error an iterable throws (fails when it does not throw). */
export async function collectUntilError<T>(
  events: AsyncIterable<T>,
): Promise<{ events: T[]; error: unknown }> {
  const result: T[] = [];
  try {
    for await (const event of events) result.push(event);
  } catch (error) {
    return { events: result, error };
  }
  throw new Error(`expected the stream to fail, but it ended after ${result.length} events`);
}

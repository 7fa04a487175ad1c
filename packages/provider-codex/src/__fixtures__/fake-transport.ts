import type { TokenManager } from '@codetether/oauth-pkce';
import {
  type ResponsesTransport,
  ResponsesTransportError,
  type TransportErrorCode,
  type TransportErrorDetails,
  type TransportRequest,
  type TransportResponse,
} from '@codetether/responses-protocol';

/**
 * A transport error as either transport raises it. `code` defaults to `http-status` when a status is
 * given, else `network`; `isRetryable` and `fallbackSafe` default to false.
 */
export function transportError(
  message: string,
  fields: Partial<TransportErrorDetails> & { code?: TransportErrorCode } = {},
): ResponsesTransportError {
  const { code, ...details } = fields;
  return new ResponsesTransportError(
    code ?? (details.status === undefined ? 'network' : 'http-status'),
    message,
    {
      transport: 'websocket',
      isRetryable: false,
      fallbackSafe: false,
      ...details,
    },
  );
}

/** The events of a short text answer: created, item added, one delta, completed with usage. */
export function textEvents(text: string): unknown[] {
  return [
    {
      type: 'response.created',
      sequence_number: 0,
      response: { id: 'resp_1', status: 'in_progress', output: [] },
    },
    {
      type: 'response.output_item.added',
      sequence_number: 1,
      output_index: 0,
      item: { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] },
    },
    {
      type: 'response.output_text.delta',
      sequence_number: 2,
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: text,
    },
    {
      type: 'response.completed',
      sequence_number: 3,
      response: {
        id: 'resp_1',
        status: 'completed',
        output: [],
        usage: { input_tokens: 10, output_tokens: 2, total_tokens: 12 },
      },
    },
  ];
}

/** An established response of `transport` carrying `events`. */
export function responseOf(
  transport: 'http' | 'websocket',
  events: AsyncIterable<unknown>,
  extra: Partial<TransportResponse> = {},
): TransportResponse {
  return {
    transport,
    status: 200,
    headers: {},
    rateLimits: {},
    events: events as TransportResponse['events'],
    ...extra,
  };
}

/** Yields `events`, then ends — or throws `error` when given. */
export async function* eventsThen(events: unknown[], error?: Error): AsyncGenerator<unknown> {
  for (const event of events) yield event;
  if (error !== undefined) throw error;
}

/** A transport that records its requests and answers with `handler`. */
export interface FakeTransport extends ResponsesTransport {
  /** Every request received, in order. */
  requests: TransportRequest[];
}

/** Creates a {@link FakeTransport}; `index` counts requests from 0. */
export function fakeTransport(
  handler: (request: TransportRequest, index: number) => Promise<TransportResponse>,
): FakeTransport {
  const requests: TransportRequest[] = [];
  return {
    requests,
    stream(request) {
      requests.push(request);
      return handler(request, requests.length - 1);
    },
    close: async () => {},
  };
}

/** A transport that answers every request with a text answer. */
export function textTransport(wire: 'http' | 'websocket', text = 'hello'): FakeTransport {
  return fakeTransport(async () => responseOf(wire, eventsThen(textEvents(text))));
}

/** A WebSocket transport whose every request fails with `error` before any event. */
export function failingTransport(error: Error): FakeTransport {
  return fakeTransport(async () => {
    throw error;
  });
}

/** A token manager handing out `tokens` in turn (one more per forced refresh), recording the refreshes. */
export function fakeTokenManager(
  tokens: string[],
  accountId: string | null = 'acc-1',
): { manager: TokenManager; forced: Array<string | undefined> } {
  let index = 0;
  const forced: Array<string | undefined> = [];
  const manager = {
    async getAccessToken() {
      return {
        accessToken: tokens[index] ?? '',
        expiresAt: Date.now() + 3_600_000,
        ...(accountId ? { accountId } : {}),
      };
    },
    async forceRefresh(rejected?: string) {
      forced.push(rejected);
      index = Math.min(index + 1, tokens.length - 1);
      return { accessToken: tokens[index] ?? '', expiresAt: Date.now() + 3_600_000 };
    },
    async logout() {},
  };
  return { manager: manager as unknown as TokenManager, forced };
}

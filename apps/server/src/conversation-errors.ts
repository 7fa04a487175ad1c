import { echoed } from './conversation-item-input.js';
import type { ConversationStoreError } from './conversation-store.js';
import { GatewayError } from './openai-error.js';

/** OpenAI's 404 for a conversation the client's key does not have (unknown, deleted, expired, evicted, another key's). */
export function conversationNotFound(conversationId: string, param: string): GatewayError {
  return new GatewayError(
    404,
    'invalid_request_error',
    `Conversation with id ${echoed(conversationId)} not found. Conversations live in this gateway's memory, for the key that created them, until deleted, evicted or unused for the gateway's age limit; create a new one.`,
    { param, code: 'conversation_not_found' },
  );
}

/** A 400 for a conversation id that is not one (`conv_` and letters, digits, `_` or `-`). */
export function invalidConversationId(conversationId: unknown, param: string): GatewayError {
  return new GatewayError(
    400,
    'invalid_request_error',
    `Invalid '${param}': ${echoed(conversationId)}. Expected an id that begins with 'conv_', as POST /v1/conversations returns.`,
    { param, code: 'invalid_value' },
  );
}

/** The store's refusal as the client's error (409 `conversation_locked`, 400 `conversation_too_large`). */
export function storeErrorToGatewayError(error: ConversationStoreError, param: string): GatewayError {
  return error.code === 'conversation_locked'
    ? new GatewayError(409, 'invalid_request_error', error.message, { param, code: error.code })
    : new GatewayError(400, 'invalid_request_error', error.message, { param, code: error.code });
}

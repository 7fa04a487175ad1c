import { authorizationOf } from './api-key-header.js';
import { clientTagOf } from './conversation-index.js';
import type { GatewayContext } from './gateway-context.js';
import { isRecord } from './is-record.js';
import { GatewayError } from './openai-error.js';

/** The longest part of an unknown item id an error message repeats. */
const ECHOED_ID_LENGTH = 128;

function itemNotFound(itemId: string): GatewayError {
  const echoed = itemId.length > ECHOED_ID_LENGTH ? `${itemId.slice(0, ECHOED_ID_LENGTH)}…` : itemId;
  return new GatewayError(
    404,
    'invalid_request_error',
    `Item with id '${echoed}' not found. Only the output items of responses this gateway answered recently (to the same key) can be referenced; send the item itself instead of an item_reference.`,
    { param: 'input' },
  );
}

/**
 * A Responses body whose `item_reference` input items name items the gateway holds — output items of
 * responses it answered to the same client key (`ConversationIndex.findItem`) — with each replaced by
 * the item itself, as the client was shown it. Clients that rely on the OpenAI API's default `store:
 * true` refer to their earlier turns' items so (the AI SDK's Responses model does for reasoning and
 * assistant messages); the ChatGPT backend keeps no items (`store: false`), so forwarded as they are
 * they would fail or lose the turn. Resolved, the input is what the client would have sent in full,
 * and a conversation the gateway holds is continued as usual. A reference the gateway does not hold is
 * left for the upstream when the request stores (`store: true`, which only an API key can: the OpenAI
 * API may hold it), else it is OpenAI's 404 "Item with id … not found"; a reference without an id is a
 * 400. The body is returned as it was when it has no reference.
 *
 * @param context - shared gateway state (the conversation index)
 * @param body - the client's Responses body
 * @param headers - the request headers (the client key)
 */
export function withItemReferencesResolved(
  context: GatewayContext,
  body: Record<string, unknown>,
  headers: Headers,
): Record<string, unknown> {
  const input = body.input;
  if (!Array.isArray(input) || !input.some((item) => isRecord(item) && item.type === 'item_reference'))
    return body;
  const clientTag = clientTagOf(authorizationOf(headers));
  const index = context.conversations;
  const resolved = input.map((item: unknown, position) => {
    if (!isRecord(item) || item.type !== 'item_reference') return item;
    const itemId = item.id;
    if (typeof itemId !== 'string' || itemId === '')
      throw new GatewayError(
        400,
        'invalid_request_error',
        `Missing required parameter: 'input[${position}].id'. An item_reference names an item by its id.`,
        { param: `input[${position}].id`, code: 'missing_required_parameter' },
      );
    const found = index?.findItem(clientTag, itemId);
    if (found !== undefined) return { ...found };
    if (body.store === true) return item;
    throw itemNotFound(itemId);
  });
  return { ...body, input: resolved };
}

import type { EmulatorContext } from '../context.js';
import { apiError } from './error-bodies.js';
import type { ResponsesBackend, ValidationFailure } from './request-validation.js';
import type { RememberedResponse } from './stored-responses.js';

/** The first `item_reference` among the items sent, with where it is. */
function firstReference(items: readonly unknown[]): { index: number; id: unknown } | undefined {
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index];
    if (typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'item_reference')
      return { index, id: (item as { id?: unknown }).id };
  }
  return undefined;
}

/** Whether a stored response has an input or output item with that id. */
function holdsItem(response: RememberedResponse, id: string): boolean {
  const items = [...(response.stored?.inputItems ?? []), ...response.output];
  return items.some(
    (item) => typeof item === 'object' && item !== null && (item as { id?: unknown }).id === id,
  );
}

/**
 * Checks the `item_reference` items of a request as the real services answer them: the ChatGPT backend
 * (`store: false` always) and an OpenAI API request without `store: true` keep no items, so any
 * reference is a 404 "Item with id '…' not found. Items are not persisted when `store` is set to false…"
 * (what clients that reference earlier items — e.g. the AI SDK's Responses model, which relies on the
 * API's default `store: true` — meet on a ChatGPT login); with `store: true` a reference must name an
 * input or output item of a response the project stored. A reference without a string `id` is a 400.
 *
 * @param context - emulator state (the stored responses)
 * @param backend - which service
 * @param body - the request body (its `store`)
 * @param items - the input items the request sent
 * @param account - the account whose stored responses it may name
 */
export function itemReferenceFailure(
  context: EmulatorContext,
  backend: ResponsesBackend,
  body: Record<string, unknown>,
  items: readonly unknown[],
  account: string,
): ValidationFailure | undefined {
  const reference = firstReference(items);
  if (reference === undefined) return undefined;
  const param = `input[${reference.index}].id`;
  if (typeof reference.id !== 'string' || reference.id === '')
    return {
      status: 400,
      body: apiError(
        `Missing required parameter: '${param}'.`,
        'invalid_request_error',
        'missing_required_parameter',
        param,
      ),
    };
  const id = reference.id;
  if (backend === 'chatgpt' || body.store !== true)
    return {
      status: 404,
      body: apiError(
        `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
        'invalid_request_error',
        null,
        'input',
      ),
    };
  const stored = context.storedResponses.all(account).some((response) => holdsItem(response, id));
  if (stored) return undefined;
  return {
    status: 404,
    body: apiError(`Item with id '${id}' not found.`, 'invalid_request_error', null, 'input'),
  };
}

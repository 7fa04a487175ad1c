import { z } from 'zod';
import { GatewayError } from './openai-error.js';

/** The smallest and largest `limit` of an input item list, and its default (OpenAI's). */
export const INPUT_ITEMS_LIMIT = { min: 1, max: 100, default: 20 } as const;

/**
 * The zod schema of a paginated list's `limit` query parameter (for `/openapi.json`; the page checks it).
 *
 * @param items - what the list holds, as its description names it ("items", "messages"…)
 */
export function pageLimitSchema(items: string) {
  return z
    .int()
    .min(INPUT_ITEMS_LIMIT.min)
    .max(INPUT_ITEMS_LIMIT.max)
    .default(INPUT_ITEMS_LIMIT.default)
    .describe(`The most ${items} of the page.`);
}

/** The pagination of `GET /v1/responses/{id}/input_items`, as its query string gives it. */
export interface InputItemsPageQuery {
  /** The most items (1–100, default 20). */
  limit?: string | undefined;
  /** `asc` or `desc` (default, newest first). */
  order?: string | undefined;
  /** An item id: the page starts after it (in `order`). */
  after?: string | undefined;
  /** An item id: the page ends before it (in `order`). */
  before?: string | undefined;
}

/** One page of input items, in OpenAI's `ResponseItemList` shape. */
export interface InputItemsPage {
  object: 'list';
  data: Readonly<Record<string, unknown>>[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

function invalidQuery(param: string, message: string): GatewayError {
  return new GatewayError(400, 'invalid_request_error', message, { param, code: 'invalid_value' });
}

function limitOf(limit: string | undefined): number {
  if (limit === undefined) return INPUT_ITEMS_LIMIT.default;
  const value = /^\d{1,4}$/.test(limit) ? Number(limit) : Number.NaN;
  if (!(value >= INPUT_ITEMS_LIMIT.min && value <= INPUT_ITEMS_LIMIT.max))
    throw invalidQuery(
      'limit',
      `Invalid 'limit': ${JSON.stringify(limit.slice(0, 32))}. Send an integer from ${INPUT_ITEMS_LIMIT.min} to ${INPUT_ITEMS_LIMIT.max}.`,
    );
  return value;
}

function cursorIndex(
  items: readonly Readonly<Record<string, unknown>>[],
  param: string,
  id: string,
  owner: string,
): number {
  const position = items.findIndex((item) => item.id === id);
  if (position < 0)
    throw invalidQuery(
      param,
      `Invalid '${param}': no item of ${owner} has the id ${JSON.stringify(id.slice(0, 128))}. Send the id of an item from an earlier page.`,
    );
  return position;
}

/**
 * One page of a response's input items (OpenAI's cursor pagination): ordered by `order`, after the
 * `after` item and before the `before` item; with `before` alone, the `limit` items right before it.
 *
 * @param items - the response's input items in the order the client sent them, each with an `id`
 * @param query - the query string's pagination fields
 * @param owner - what holds the items, as an unknown cursor's error names it
 * @throws {GatewayError} 400 `invalid_value` naming `limit`, `order`, `after` or `before`
 */
export function inputItemsPage(
  items: readonly Readonly<Record<string, unknown>>[],
  query: InputItemsPageQuery,
  owner = 'this response',
): InputItemsPage {
  const limit = limitOf(query.limit);
  const order = query.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc')
    throw invalidQuery('order', `Invalid 'order': ${JSON.stringify(order.slice(0, 32))}. Send asc or desc.`);
  const ordered = order === 'asc' ? [...items] : [...items].reverse();
  let start = 0;
  let end = ordered.length;
  if (query.after !== undefined) start = cursorIndex(ordered, 'after', query.after, owner) + 1;
  if (query.before !== undefined) end = cursorIndex(ordered, 'before', query.before, owner);
  let data: Readonly<Record<string, unknown>>[];
  let hasMore: boolean;
  if (query.before !== undefined && query.after === undefined) {
    const first = Math.max(start, end - limit);
    data = ordered.slice(first, end);
    hasMore = first > start;
  } else {
    data = ordered.slice(start, Math.max(start, Math.min(end, start + limit)));
    hasMore = start + limit < end;
  }
  const firstId = data[0]?.id;
  const lastId = data.at(-1)?.id;
  return {
    object: 'list',
    data,
    first_id: typeof firstId === 'string' ? firstId : null,
    last_id: typeof lastId === 'string' ? lastId : null,
    has_more: hasMore,
  };
}

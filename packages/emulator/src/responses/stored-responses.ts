import { dropOldest } from '../bounded-collection.js';

/**
 * A completed response as a later `previous_response_id` sees it: the whole input it answered (its
 * own previous responses included) and its output items.
 */
export interface RememberedResponse {
  /** `resp_…` */
  id: string;
  /** The effective input: the previous response's input and output, then the items sent. */
  input: readonly unknown[];
  /** The output items, as sent in `response.completed`. */
  output: readonly unknown[];
  /**
   * What `GET /v1/responses/{id}` and its `input_items` answer, for a `store: true` response of the
   * OpenAI API: the final response object and the input items the request sent (each with an `id`).
   */
  stored?: { response: Record<string, unknown>; inputItems: readonly Record<string, unknown>[] } | undefined;
}

/** Responses created with `store: true`, per account, bounded (the oldest are forgotten first). */
export interface StoredResponses {
  /** Keeps a response for an account. */
  remember(account: string, response: RememberedResponse): void;
  /** A stored response of that account, if it is still kept. */
  find(account: string, id: string): RememberedResponse | undefined;
  /** Every response that account keeps, oldest first. */
  all(account: string): RememberedResponse[];
  /** Forgets a stored response of that account (`DELETE /v1/responses/{id}`); whether it was kept. */
  forget(account: string, id: string): boolean;
}

/** Responses kept per account. */
export const STORED_RESPONSES_PER_ACCOUNT = 256;
/** Accounts kept (the account used least recently is forgotten first). */
export const STORED_ACCOUNTS = 64;

/**
 * Creates the store. Both limits bound memory however long the emulator runs.
 *
 * @param perAccount - responses kept per account
 * @param accounts - accounts kept
 */
export function createStoredResponses(
  perAccount = STORED_RESPONSES_PER_ACCOUNT,
  accounts = STORED_ACCOUNTS,
): StoredResponses {
  const byAccount = new Map<string, Map<string, RememberedResponse>>();
  return {
    remember(account, response) {
      const responses = byAccount.get(account) ?? new Map<string, RememberedResponse>();
      // Re-inserting moves the account (and the response) to the newest end of the maps.
      byAccount.delete(account);
      byAccount.set(account, responses);
      responses.delete(response.id);
      responses.set(response.id, response);
      dropOldest(responses, perAccount);
      dropOldest(byAccount, accounts);
    },
    find(account, id) {
      return byAccount.get(account)?.get(id);
    },
    all(account) {
      return [...(byAccount.get(account)?.values() ?? [])];
    },
    forget(account, id) {
      return byAccount.get(account)?.delete(id) ?? false;
    },
  };
}

/**
 * Shortens an account id for display: the first 8 and last 4 characters (`6f1c2b1e…c0de`).
 * Short ids are returned unchanged.
 *
 * @param accountId - the ChatGPT account (workspace) id
 */
export function shortenAccountId(accountId: string): string {
  return accountId.length <= 14 ? accountId : `${accountId.slice(0, 8)}…${accountId.slice(-4)}`;
}

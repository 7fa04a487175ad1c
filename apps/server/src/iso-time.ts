/** An ISO 8601 time as `Date.prototype.toISOString` writes it (a zone offset allowed too). */
const ISO_TIME = /^[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Whether a stored text is an ISO 8601 time (a key's `createdAt`, the usage file's `since`): the check
 * that keeps anything else in those files from reaching a terminal through `keys list`.
 *
 * @param text - the stored text
 */
export function isIsoTime(text: string): boolean {
  return ISO_TIME.test(text) && !Number.isNaN(Date.parse(text));
}

import { redactErrorInPlace } from '@codetether/responses-protocol';

/** How deep a `cause` chain is followed. */
const MAX_CAUSE_DEPTH = 8;

/**
 * Scrubs `secrets` from the string fields of `error` and of every `Error` along its `cause` chain,
 * in place. A cause is often a foreign error holding what the server sent: undici's
 * `HTTPParserError` keeps the unparsable bytes in `data`, so a broken server or proxy that echoes
 * the request's headers would otherwise carry the bearer token into logs.
 *
 * @param error - the error to return to the caller
 * @param secrets - credential values to scrub
 * @returns `error`
 */
export function redactErrorChainInPlace<T extends Error>(error: T, secrets: readonly string[]): T {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth += 1) {
    redactErrorInPlace(current, secrets);
    current = current.cause;
  }
  return error;
}

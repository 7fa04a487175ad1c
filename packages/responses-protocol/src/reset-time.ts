/** The latest time a `Date` can hold, epoch ms (ECMAScript's limit, ±100,000,000 days from 1970). */
const LATEST_DATE_MS = 8.64e15;

/** When a usage window resets, as a server may say it: at a time, or after a while. */
export interface ResetTimeFields {
  /** The reset time, epoch seconds (used when positive). */
  readonly atSeconds: number | undefined;
  /** Seconds until the reset, from `now` (used when `atSeconds` is not, and not negative). */
  readonly afterSeconds: number | undefined;
  /** The current time, epoch ms. */
  readonly now: number;
}

/**
 * The reset time of a usage window, epoch ms: from `atSeconds` when it is positive, else from
 * `afterSeconds` when it is not negative; a value that gives a time no `Date` can hold (a broken or
 * hostile server's `1e20`) counts as absent, so that formatting it later cannot throw.
 * @internal
 */
export function resetTimeOf({ atSeconds, afterSeconds, now }: ResetTimeFields): number | undefined {
  if (atSeconds !== undefined && atSeconds > 0) {
    const at = Math.round(atSeconds * 1000);
    if (at <= LATEST_DATE_MS) return at;
  }
  if (afterSeconds !== undefined && afterSeconds >= 0) {
    const at = now + Math.round(afterSeconds * 1000);
    if (at <= LATEST_DATE_MS) return at;
  }
  return undefined;
}

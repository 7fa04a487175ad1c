import type { EmulatorRateLimitOptions } from './types.js';

/** Produces the `x-codex-*` usage-window headers, growing the used percents with every request. */
export interface RateLimitTracker {
  /** Headers for the next Responses reply (counts one request). */
  nextHeaders(): Record<string, string>;
  /** The current headers without counting a request (WebSocket handshakes). */
  currentHeaders(): Record<string, string>;
  /** Headers describing an exhausted primary window (for the `rate-limited` scenario). */
  exhaustedHeaders(): Record<string, string>;
  /** Seconds until the primary window resets. */
  primaryResetAfterSeconds(): number;
  /** The plan type reported. */
  planType(): string;
}

/**
 * Creates a tracker.
 *
 * @param options - reads the current rate-limit options
 * @param now - clock, epoch ms
 */
export function createRateLimitTracker(
  options: () => EmulatorRateLimitOptions | undefined,
  now: () => number,
): RateLimitTracker {
  let requestCount = 0;

  const build = (primaryOverride?: number): Record<string, string> => {
    const current = options() ?? {};
    const increment = (current.incrementPerRequest ?? 0.1) * requestCount;
    const primaryUsed = primaryOverride ?? Math.min(100, (current.primaryUsedPercent ?? 12) + increment);
    const secondaryUsed = Math.min(100, (current.secondaryUsedPercent ?? 34) + increment / 10);
    const nowSeconds = Math.floor(now() / 1000);
    const primaryResetAfter = current.primaryResetAfterSeconds ?? 3600;
    const secondaryResetAfter = current.secondaryResetAfterSeconds ?? 345_600;
    const headers: Record<string, string> = {
      'x-codex-primary-used-percent': formatPercent(primaryUsed),
      'x-codex-primary-window-minutes': String(current.primaryWindowMinutes ?? 300),
      'x-codex-primary-reset-after-seconds': String(primaryResetAfter),
      'x-codex-primary-reset-at': String(nowSeconds + primaryResetAfter),
      'x-codex-secondary-used-percent': formatPercent(secondaryUsed),
      'x-codex-secondary-window-minutes': String(current.secondaryWindowMinutes ?? 10_080),
      'x-codex-secondary-reset-after-seconds': String(secondaryResetAfter),
      'x-codex-secondary-reset-at': String(nowSeconds + secondaryResetAfter),
      'x-codex-plan-type': current.planType ?? 'plus',
    };
    if (current.creditsBalance !== undefined)
      headers['x-codex-credits-balance'] = String(current.creditsBalance);
    return headers;
  };

  return {
    nextHeaders() {
      const headers = build();
      requestCount += 1;
      return headers;
    },
    currentHeaders: () => build(),
    exhaustedHeaders: () => build(100),
    primaryResetAfterSeconds: () => options()?.primaryResetAfterSeconds ?? 3600,
    planType: () => options()?.planType ?? 'plus',
  };
}

function formatPercent(value: number): string {
  return String(Math.round(value * 10) / 10);
}

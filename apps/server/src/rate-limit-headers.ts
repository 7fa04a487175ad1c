import type { RateLimitSnapshot, RateLimitWindow } from '@codetether/responses-protocol';
import type { GatewayContext } from './gateway-context.js';
import { currentProfileScope } from './profile-scope.js';

function addWindow(
  headers: Record<string, string>,
  prefix: string,
  window: RateLimitWindow | undefined,
): void {
  if (window === undefined) return;
  if (window.usedPercent !== undefined) headers[`${prefix}-used-percent`] = String(window.usedPercent);
  if (window.windowMinutes !== undefined) headers[`${prefix}-window-minutes`] = String(window.windowMinutes);
  if (window.resetsAt !== undefined)
    headers[`${prefix}-reset-at`] = String(Math.round(window.resetsAt / 1000));
}

/**
 * The account's usage windows as the ChatGPT backend's own response headers
 * (`x-codex-primary-used-percent`, `-window-minutes`, `-reset-at` in epoch seconds, the same for
 * `secondary`, `x-codex-plan-type`, `x-codex-credits-balance`), so clients that read them — the Codex
 * CLI does — see them through the gateway. The WebSocket upstream reports them in a ChatGPT-only
 * `codex.rate_limits` event, which the gateway does not relay. Empty when nothing is known.
 *
 * @param snapshot - the usage windows, when known
 */
export function rateLimitHeaders(snapshot: RateLimitSnapshot | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (snapshot === undefined) return headers;
  addWindow(headers, 'x-codex-primary', snapshot.primary);
  addWindow(headers, 'x-codex-secondary', snapshot.secondary);
  if (snapshot.planType !== undefined) headers['x-codex-plan-type'] = snapshot.planType;
  if (snapshot.creditsBalance !== undefined)
    headers['x-codex-credits-balance'] = String(snapshot.creditsBalance);
  return headers;
}

/**
 * Reports a response's usage windows (else the provider's latest): remembered for `/metrics`, and
 * returned as the `x-codex-*` headers of the answer.
 *
 * @param context - shared gateway state (metrics, provider)
 * @param snapshot - the response's own usage windows, when the provider gave them
 */
export function reportRateLimits(
  context: GatewayContext,
  snapshot: RateLimitSnapshot | undefined,
): Record<string, string> {
  const known = snapshot ?? context.provider.lastRateLimits;
  // With profile routing, the profile that answered (only the router sets it): its windows, not another's.
  context.metrics.rememberRateLimits(known, currentProfileScope()?.used);
  return rateLimitHeaders(known);
}

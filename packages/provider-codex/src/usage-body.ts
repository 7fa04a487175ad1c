import type { RateLimitSnapshot, RateLimitWindow } from '@codetether/responses-protocol';

function finiteNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** One window of the `/usage` answer (`used_percent`, `limit_window_seconds`, `reset_at` or `reset_after_seconds`). */
function windowOf(raw: unknown, now: number): RateLimitWindow | undefined {
  const fields = record(raw);
  if (fields === undefined) return undefined;
  const window: RateLimitWindow = {};
  const usedPercent = finiteNumber(fields.used_percent);
  if (usedPercent !== undefined) window.usedPercent = usedPercent;
  const seconds = finiteNumber(fields.limit_window_seconds);
  const minutes = finiteNumber(fields.window_minutes) ?? (seconds === undefined ? undefined : seconds / 60);
  if (minutes !== undefined) window.windowMinutes = minutes;
  const resetAt = finiteNumber(fields.reset_at) ?? finiteNumber(fields.resets_at);
  const resetAfter = finiteNumber(fields.reset_after_seconds);
  if (resetAt !== undefined) window.resetsAt = resetAt * 1000;
  else if (resetAfter !== undefined) window.resetsAt = now + resetAfter * 1000;
  return Object.keys(window).length === 0 ? undefined : window;
}

/**
 * Reads the ChatGPT backend's `GET /usage` answer — `{plan_type, rate_limit:{primary_window,
 * secondary_window}, credits:{balance}}` (also the `rate_limits:{primary, secondary}` spelling of the
 * `codex.rate_limits` event) — into a {@link RateLimitSnapshot}. Missing or odd values are unknown,
 * never 0; `undefined` when nothing could be read.
 *
 * @param body - the parsed JSON
 * @param now - current time, epoch ms (for `reset_after_seconds`)
 */
export function parseUsageBody(body: unknown, now: number): RateLimitSnapshot | undefined {
  const fields = record(body);
  if (fields === undefined) return undefined;
  const limits = record(fields.rate_limit) ?? record(fields.rate_limits);
  const snapshot: RateLimitSnapshot = {};
  const primary = windowOf(limits?.primary_window ?? limits?.primary, now);
  const secondary = windowOf(limits?.secondary_window ?? limits?.secondary, now);
  if (primary !== undefined) snapshot.primary = primary;
  if (secondary !== undefined) snapshot.secondary = secondary;
  if (typeof fields.plan_type === 'string' && fields.plan_type !== '') snapshot.planType = fields.plan_type;
  const balance = finiteNumber(record(fields.credits)?.balance);
  if (balance !== undefined) snapshot.creditsBalance = balance;
  return Object.keys(snapshot).length === 0 ? undefined : snapshot;
}

import { resetTimeOf } from './reset-time.js';

/** One usage window of a ChatGPT plan (e.g. the 5-hour or the weekly window). */
export interface RateLimitWindow {
  /** How much of the window is used, in percent (0–100); absent when unknown. */
  usedPercent?: number;
  /** Length of the window in minutes (300 = 5 hours, 10080 = one week); absent when unknown. */
  windowMinutes?: number;
  /** When the window resets, epoch milliseconds; absent when unknown. */
  resetsAt?: number;
}

/** The rate-limit state reported in `x-codex-*` response headers. Absent fields are unknown, never 0. */
export interface RateLimitSnapshot {
  /** The primary window (usually 5 hours). */
  primary?: RateLimitWindow;
  /** The secondary window (usually one week). */
  secondary?: RateLimitWindow;
  /** The ChatGPT plan (`plus`, `pro`, `team`, …). */
  planType?: string;
  /** Remaining credits, when reported. */
  creditsBalance?: number;
}

/** Header input accepted by {@link parseRateLimitHeaders}: a `Headers` or a plain (Node-style) record. */
export type HeaderInput = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

function headerReader(headers: HeaderInput): (name: string) => string | undefined {
  if (typeof (headers as Headers).get === 'function') {
    const real = headers as Headers;
    return (name) => real.get(name) ?? undefined;
  }
  const lowered = new Map<string, string>();
  for (const [key, value] of Object.entries(
    headers as Record<string, string | readonly string[] | undefined>,
  )) {
    if (value === undefined) continue;
    const first = typeof value === 'string' ? value : value[0];
    if (first !== undefined) lowered.set(key.toLowerCase(), first);
  }
  return (name) => lowered.get(name);
}

function finiteNumber(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

function readWindow(
  read: (name: string) => string | undefined,
  prefix: string,
  now: number,
): RateLimitWindow | undefined {
  const window: RateLimitWindow = {};
  const usedPercent = finiteNumber(read(`${prefix}-used-percent`));
  const windowMinutes = finiteNumber(read(`${prefix}-window-minutes`));
  if (usedPercent !== undefined && usedPercent >= 0) window.usedPercent = usedPercent;
  if (windowMinutes !== undefined && windowMinutes > 0) window.windowMinutes = windowMinutes;
  const resetsAt = resetTimeOf({
    atSeconds: finiteNumber(read(`${prefix}-reset-at`)),
    afterSeconds: finiteNumber(read(`${prefix}-reset-after-seconds`)),
    now,
  });
  if (resetsAt !== undefined) window.resetsAt = resetsAt;
  return Object.keys(window).length > 0 ? window : undefined;
}

/** Options of {@link parseRateLimitHeaders}. */
export interface ParseRateLimitOptions {
  /** The current time in epoch ms, used for `*-reset-after-seconds` (default `Date.now()`). */
  now?: number;
}

/**
 * Reads the ChatGPT backend's rate-limit headers (`x-codex-primary-used-percent`,
 * `-window-minutes`, `-reset-at` (epoch s) or `-reset-after-seconds`, the same for `secondary`,
 * `x-codex-plan-type`, `x-codex-credits-balance`). Tolerant: a missing or non-numeric value is left
 * out (unknown), never 0. Returns `{}` when no such header is present.
 */
export function parseRateLimitHeaders(
  headers: HeaderInput,
  options: ParseRateLimitOptions = {},
): RateLimitSnapshot {
  const read = headerReader(headers);
  const now = options.now ?? Date.now();
  const snapshot: RateLimitSnapshot = {};
  const primary = readWindow(read, 'x-codex-primary', now);
  const secondary = readWindow(read, 'x-codex-secondary', now);
  if (primary !== undefined) snapshot.primary = primary;
  if (secondary !== undefined) snapshot.secondary = secondary;
  const planType = read('x-codex-plan-type')?.trim();
  if (planType !== undefined && planType !== '') snapshot.planType = planType;
  const credits = finiteNumber(read('x-codex-credits-balance'));
  if (credits !== undefined) snapshot.creditsBalance = credits;
  return snapshot;
}

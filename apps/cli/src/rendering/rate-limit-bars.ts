import type { Colors } from '../terminal.js';
import { formatClockTime, formatRelativeTime } from './duration.js';

/** One usage window as the backend reports it (structurally `RateLimitWindow` of responses-protocol). */
export interface RateLimitWindowView {
  /** Percent of the window used, 0–100. */
  usedPercent?: number | undefined;
  /** The window length in minutes (300 = 5 hours, 10080 = a week). */
  windowMinutes?: number | undefined;
  /** When the window resets, epoch ms. */
  resetsAt?: number | undefined;
}

/** The usage windows of a subscription (structurally `RateLimitSnapshot` of responses-protocol). */
export interface RateLimitSnapshotView {
  /** The short window (5 hours on ChatGPT plans). */
  primary?: RateLimitWindowView | undefined;
  /** The long window (weekly). */
  secondary?: RateLimitWindowView | undefined;
  /** The ChatGPT plan. */
  planType?: string | undefined;
  /** Remaining credits, when the plan has them. */
  creditsBalance?: number | string | undefined;
}

/** Options of {@link renderRateLimitBars}. */
export interface RateLimitBarsOptions {
  /** Colours to use (no-ops when colour is off). */
  colors: Colors;
  /** The current time, epoch ms. */
  now: number;
  /** Width of a bar in cells. Default 30. */
  width?: number;
}

/**
 * Names a window by its length: `5-hour`, `Weekly`, `Daily`, `90-minute`.
 *
 * @param minutes - window length in minutes
 */
export function windowLabel(minutes: number | undefined): string {
  if (minutes === undefined || !Number.isFinite(minutes) || minutes <= 0) return 'Usage';
  if (minutes === 10_080) return 'Weekly';
  if (minutes === 1440) return 'Daily';
  if (minutes % 1440 === 0) return `${minutes / 1440}-day`;
  if (minutes % 60 === 0) return `${minutes / 60}-hour`;
  return `${minutes}-minute`;
}

/**
 * Treats values below 10^12 as epoch seconds (some headers carry seconds).
 *
 * @param value - epoch seconds or milliseconds
 */
export function toEpochMilliseconds(value: number): number {
  return value < 1e12 ? value * 1000 : value;
}

function renderBar(window: RateLimitWindowView, label: string, options: RateLimitBarsOptions): string {
  const { colors } = options;
  const width = options.width ?? 30;
  const used = Math.min(100, Math.max(0, window.usedPercent ?? 0));
  const filled = Math.round((used / 100) * width);
  const paint = used >= 90 ? colors.red : used >= 70 ? colors.yellow : colors.green;
  const bar = `${paint('█'.repeat(filled))}${colors.dim('░'.repeat(width - filled))}`;
  const percent = `${used.toFixed(used % 1 === 0 ? 0 : 1)}% used`.padStart(10);
  let reset = '';
  if (window.resetsAt !== undefined && Number.isFinite(window.resetsAt)) {
    const at = toEpochMilliseconds(window.resetsAt);
    reset = colors.dim(
      `  resets ${formatRelativeTime(at, options.now)} (${formatClockTime(at, options.now)})`,
    );
  }
  return `${colors.bold(`${label} limit`.padEnd(16))}${bar} ${percent}${reset}`;
}

/**
 * Draws the usage windows as labelled bars, one line each, e.g.
 * `5-hour limit    ████░░░░…   12% used  resets in 59m 59s (14:32)`. Returns no lines when the
 * snapshot has no window.
 *
 * @param snapshot - the rate-limit snapshot
 * @param options - colours, clock and width
 */
export function renderRateLimitBars(
  snapshot: RateLimitSnapshotView,
  options: RateLimitBarsOptions,
): string[] {
  const lines: string[] = [];
  const windows = [snapshot.primary, snapshot.secondary].filter(
    (window): window is RateLimitWindowView => window !== undefined,
  );
  for (const window of windows) lines.push(renderBar(window, windowLabel(window.windowMinutes), options));
  if (snapshot.creditsBalance !== undefined) {
    lines.push(`${options.colors.bold('Credits'.padEnd(16))}${String(snapshot.creditsBalance)}`);
  }
  return lines;
}

/**
 * Tells whether a snapshot holds at least one usage window.
 *
 * @param snapshot - the snapshot, if any
 */
export function hasRateLimitWindows(snapshot: RateLimitSnapshotView | undefined): boolean {
  return snapshot?.primary !== undefined || snapshot?.secondary !== undefined;
}

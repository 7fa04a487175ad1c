/**
 * Formats a duration for people: `45s`, `4m 05s`, `2h 03m`, `3d 4h`. Negative durations count as zero.
 *
 * @param milliseconds - the duration
 */
export function formatDuration(milliseconds: number): string {
  const totalSeconds = Math.max(0, Math.round(milliseconds / 1000));
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return hours === 0 ? `${days}d` : `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

/**
 * Formats a point in time relative to now: `in 4m 05s` or `3h 02m ago`.
 *
 * @param at - the time, epoch ms
 * @param now - the current time, epoch ms
 */
export function formatRelativeTime(at: number, now: number): string {
  return at >= now ? `in ${formatDuration(at - now)}` : `${formatDuration(now - at)} ago`;
}

/**
 * Formats a clock time in the local time zone: `14:05` today, `Mon 14:05` within a week, else `2026-11-30 14:05`.
 *
 * @param at - the time, epoch ms
 * @param now - the current time, epoch ms
 */
export function formatClockTime(at: number, now: number): string {
  const date = new Date(at);
  const time = `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
  const today = new Date(now);
  if (date.toDateString() === today.toDateString()) return time;
  if (Math.abs(at - now) < 6 * 86_400_000) {
    return `${date.toLocaleDateString('en-US', { weekday: 'short' })} ${time}`;
  }
  const day = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  return `${day} ${time}`;
}

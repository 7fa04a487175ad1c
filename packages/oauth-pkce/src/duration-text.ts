/**
 * A duration in words for messages: seconds under a minute (`45 seconds`, `1 second`), whole minutes
 * otherwise (`15 minutes`, `1 minute`), `less than a second` below half a second.
 *
 * @param milliseconds - the duration
 */
export function describeDuration(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 1) return 'less than a second';
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

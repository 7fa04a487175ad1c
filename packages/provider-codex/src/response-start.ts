/**
 * Whether a raw upstream event says the upstream is answering with a response (`response.created`,
 * `response.in_progress`, …): an `error` event before it is a refusal a caller may still retry or
 * turn into an HTTP error; rate-limit events (`codex.rate_limits`) say nothing either way.
 */
export function startsResponse(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const type = (event as { type?: unknown }).type;
  return typeof type === 'string' && type.startsWith('response.');
}

/**
 * An event listener that calls `onResponseStarted` at the first event that
 * {@link startsResponse} (once); `undefined` without a callback.
 */
export function responseStartListener(
  onResponseStarted: (() => void) | undefined,
): ((event: unknown) => void) | undefined {
  if (onResponseStarted === undefined) return undefined;
  let started = false;
  return (event) => {
    if (started || !startsResponse(event)) return;
    started = true;
    onResponseStarted();
  };
}

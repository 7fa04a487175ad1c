import type { FrameStreamCallbacks } from './frame-stream.js';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayError } from './openai-error.js';
import { shutdownError, type TrackedRequest } from './tracked-request.js';
import { mapProviderError } from './upstream-error-mapping.js';

/** What {@link openAnswerStream} needs besides the gateway state and the tracked request. */
export interface AnswerStreamOptions {
  /** The route label of metrics and logs. */
  route: string;
  /** The answer's id, named in the log when the client disconnects. */
  id?: string | undefined;
  /** Closes the upstream events; resolves once they are closed (idempotent, never rejects). */
  closeUpstream(): Promise<void>;
}

/**
 * Counts an answer stream as open and returns its hooks: a client that goes away is logged and its
 * upstream request aborted; when the stream is over for any reason it is counted as closed and the
 * upstream events are closed, and once they are the request is released (shutdown stops waiting for it).
 *
 * @param context - shared gateway state (metrics, logger)
 * @param tracked - the request the stream answers
 * @param options - route label, answer id and how to close the upstream
 */
export function openAnswerStream(
  context: GatewayContext,
  tracked: TrackedRequest,
  options: AnswerStreamOptions,
): FrameStreamCallbacks {
  context.metrics.streamOpened();
  const { route, id } = options;
  return {
    onCancel() {
      context.logger.info(
        id === undefined ? { route } : { route, id },
        'client disconnected; upstream request cancelled',
      );
      tracked.abort(new Error('The client disconnected.'));
    },
    onFinish() {
      context.metrics.streamClosed();
      // Released only once the upstream is closed: a conversation turn puts its conversation back
      // into the index as it closes, before a retry of the client (or shutdown) may need it.
      void options.closeUpstream().then(() => tracked.release());
    },
  };
}

/**
 * Whether an upstream failure during a stream only follows the client going away (its request was
 * aborted, not for shutdown): then the stream just ends, with no error event and nothing reported.
 *
 * @param tracked - the request the stream answers
 */
export function clientWentAway(tracked: TrackedRequest): boolean {
  return tracked.upstream.signal.aborted && !tracked.wasStoppedForShutdown();
}

/**
 * The error a failed request is answered with: 503 `server_shutting_down` when the gateway stopped it
 * for its shutdown, else the provider's failure as its OpenAI error.
 *
 * @param context - shared gateway state (its clock)
 * @param tracked - the request
 * @param error - what failed
 */
export function requestFailure(
  context: GatewayContext,
  tracked: TrackedRequest,
  error: unknown,
): GatewayError {
  return tracked.wasStoppedForShutdown() ? shutdownError() : mapProviderError(error, context.now());
}

/**
 * Reports an error that ends an open answer stream: counted under the route's label and logged
 * (the caller sends the client its dialect's error event).
 *
 * @param context - shared gateway state (metrics, logger)
 * @param route - the route label
 * @param error - the error the stream ends with
 */
export function reportStreamError(context: GatewayContext, route: string, error: GatewayError): void {
  context.metrics.recordError(route, error.code ?? error.type);
  context.logger.warn({ route, status: error.status, code: error.code }, error.message);
}

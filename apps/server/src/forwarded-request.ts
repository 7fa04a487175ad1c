import { createUpstreamController, type GatewayContext } from './gateway-context.js';
import { GatewayError } from './openai-error.js';
import { drainingError } from './tracked-request.js';
import { mapProviderError } from './upstream-error-mapping.js';

/**
 * The error a forwarded request stopped by shutdown ends with (503 `server_shutting_down`): the
 * upstream had not answered when the grace period ran out.
 */
export function forwardStoppedError(): GatewayError {
  return new GatewayError(
    503,
    'server_error',
    'The gateway is shutting down and stopped this request before the OpenAI API answered it. Retry the request against a running instance (a retried DELETE may find the response already deleted).',
    { code: 'server_shutting_down' },
  );
}

/**
 * Sends one request the gateway forwards upstream and answers with one JSON body (a stored-response
 * request) as an in-flight `/v1` request of a graceful shutdown: shutdown waits for it like a stream
 * (`waitForStreams`), and ending the in-flight requests (`endStreams`) aborts its upstream and ends it
 * at once with {@link forwardStoppedError}, even when the upstream does not heed the abort. A forward
 * that would start once the gateway drains is refused with {@link drainingError} and sends nothing.
 * It is not a stream: `codetether_server_active_streams` does not count it.
 *
 * @param context - shared gateway state (the in-flight registry, the draining flag)
 * @param request - the client's request (its signal aborts the upstream when the client disconnects)
 * @param send - sends the upstream request with the signal it must heed
 * @returns what `send` resolved to
 * @throws a {@link GatewayError} 503 `server_shutting_down` when draining or stopped for shutdown; else
 *   whatever `send` rejected with
 */
export async function runForwardedRequest<T>(
  context: GatewayContext,
  request: Request,
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (context.isDraining()) throw drainingError();
  const upstream = createUpstreamController(request.signal);
  let stoppedForShutdown = false;
  let rejectStopped: (reason: unknown) => void = () => {};
  const stopped = new Promise<never>((_resolve, reject) => {
    rejectStopped = reject;
  });
  const unregister = context.streams.add({
    stop() {
      stoppedForShutdown = true;
      // Settled before the abort, so the client's answer never waits for an upstream that ignores it.
      rejectStopped(forwardStoppedError());
      upstream.abort(new Error('The gateway is shutting down.'));
    },
  });
  try {
    const sending = send(upstream.signal);
    // Once stopped for shutdown, the upstream's late failure (its abort) is nobody's to handle.
    sending.catch(() => {});
    return await Promise.race([sending, stopped]);
  } catch (error) {
    throw stoppedForShutdown ? forwardStoppedError() : error;
  } finally {
    unregister();
  }
}

/**
 * {@link runForwardedRequest} with what the provider rejects with mapped to the gateway's answer
 * (`mapProviderError`: its status, `param` and `code` kept; a gateway error as it is).
 *
 * @param context - shared gateway state
 * @param request - the client's request
 * @param send - sends the upstream request with the signal it must heed
 */
export async function runProviderRequest<T>(
  context: GatewayContext,
  request: Request,
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  try {
    return await runForwardedRequest(context, request, send);
  } catch (error) {
    throw mapProviderError(error, context.now());
  }
}

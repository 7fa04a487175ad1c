import type { ResponseConnection, TransportRequest } from '@codetether/responses-protocol';
import { buildResponseCreateEvent } from './response-create-event.js';
import type { ResponsesConnection } from './responses-connection.js';

/** The `response.create` frame of a request, chosen per socket. */
export interface ContinuationPayload {
  /** Which socket carried the request and whether it was sent as a continuation (on the response). */
  readonly carrier: ResponseConnection;
  /**
   * The frame to send on `socket`: the request's short continuation body when `socket` is the one that
   * produced the previous response, else the full body. Updates {@link ContinuationPayload.carrier}.
   */
  payloadFor(socket: ResponsesConnection): string;
}

/**
 * Chooses, per socket, between a request's full body and its continuation body. Bodies are serialised
 * on demand, so a continued turn never pays for the full one.
 *
 * @param request - the request (its `continuation` names the socket that may carry the short body)
 * @param firstSocketId - the id of the socket the request starts on
 */
export function createContinuationPayload(
  request: TransportRequest,
  firstSocketId: string,
): ContinuationPayload {
  const { continuation } = request;
  const carrier: ResponseConnection = { id: firstSocketId, continued: false };
  let fullPayload: string | undefined;
  return {
    carrier,
    payloadFor(socket) {
      carrier.id = socket.id;
      carrier.continued = continuation !== undefined && continuation.connectionId === socket.id;
      if (carrier.continued && continuation !== undefined) {
        return JSON.stringify(buildResponseCreateEvent(continuation.body));
      }
      fullPayload ??= JSON.stringify(buildResponseCreateEvent(request.body));
      return fullPayload;
    },
  };
}

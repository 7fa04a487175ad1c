import type { IncomingMessage } from 'node:http';
import { flattenHeaders, parseRequestTarget } from './http-utilities.js';
import type { RequestRecorder } from './recording.js';
import { COMPACT_PATHS } from './responses/compact-endpoint.js';
import type { PlaybackEnd } from './responses/event-playback.js';
import { responsesRequestFacts } from './responses/request-facts.js';
import { RESPONSES_PATHS } from './responses/request-validation.js';
import type { RecordedRequest } from './types.js';

/** What is known of a request besides the HTTP request itself. */
export interface ReceivedRequest {
  /** Method to record (default the request's; `POST` for WebSocket frames). */
  method?: string;
  /** The WebSocket connection a frame arrived on. */
  connectionId?: string;
  /** Bytes of body or frame received. */
  bytesReceived: number;
}

/** Completes the record of one request as it is answered. */
export interface RequestRecordUpdate {
  /** The scenario it runs. */
  scenario(name: string): void;
  /** How the Responses stream answering it ended (see `RecordedRequest.streamEnd`). */
  streamEnded(end: PlaybackEnd): void;
}

/** Records one request and returns what completes its record. */
export type RecordRequest = (
  request: IncomingMessage,
  body: unknown,
  transport: 'http' | 'websocket',
  received: ReceivedRequest,
) => RequestRecordUpdate;

/**
 * Creates the function the endpoints record requests with: path, query, headers, body, transport and
 * time, plus, for Responses requests, the recorded facts (`previousResponseId`, `inputItems`).
 *
 * @param recorder - the bounded, redacting recorder
 * @param now - clock (epoch ms)
 */
export function createRequestRecording(recorder: RequestRecorder, now: () => number): RecordRequest {
  return (request, body, transport, received) => {
    const target = parseRequestTarget(request.url);
    const path = target?.pathname ?? (request.url ?? '/').split('?')[0] ?? '/';
    const isResponses = RESPONSES_PATHS[path] !== undefined || COMPACT_PATHS[path] !== undefined;
    const entry: RecordedRequest = {
      method: received.method ?? request.method ?? 'GET',
      path,
      query: target === undefined ? {} : Object.fromEntries(target.searchParams),
      headers: flattenHeaders(request.headers),
      body,
      transport,
      at: now(),
      ...(received.connectionId === undefined ? {} : { connectionId: received.connectionId }),
      ...(isResponses ? responsesRequestFacts(body) : {}),
      bytesReceived: received.bytesReceived,
    };
    recorder.record(entry);
    const recorded = recorder.requests.at(-1);
    return {
      scenario(name) {
        if (recorded !== undefined) recorded.scenario = name;
      },
      streamEnded(end) {
        if (recorded !== undefined) recorded.streamEnd = end;
      },
    };
  };
}

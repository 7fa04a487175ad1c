import type { ResponsesTransport, TransportRequest, TransportResponse } from '@codetether/responses-protocol';

/** One Responses request handed to a transport (the shared `TransportRequest` of responses-protocol). */
export type CodexTransportRequest = TransportRequest;

/** An established response, as both transports resolve it (the shared `TransportResponse`). */
export type CodexTransportResponse = TransportResponse;

/** A transport the provider can stream through (`createHttpTransport()` and `createWebSocketTransport()` fit). */
export type CodexTransport = ResponsesTransport;

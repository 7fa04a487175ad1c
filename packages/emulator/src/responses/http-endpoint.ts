import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { type ParsedBody, sendJson } from '../http-utilities.js';
import { createId } from '../ids.js';
import type { RequestRecordUpdate } from '../request-recording.js';
import { apiError } from './error-bodies.js';
import { playEvents } from './event-playback.js';
import { type PreparedStream, prepareResponse, rememberCompleted } from './prepare-response.js';
import { answeredCredentialFailure, jsonObjectOf, type ResponsesBackend } from './request-validation.js';
import type { ResponsesEvent } from './response-events.js';

/** Result of an HTTP Responses request, for recording. */
export interface HttpResponsesResult {
  /** The scenario that ran, if one was chosen. */
  scenario?: string;
}

/**
 * `POST /backend-api/codex/responses` and `POST /v1/responses`: validates like the real services, then
 * streams the scenario's events as Server-Sent Events (`event: <type>` + `data: <json>`). The OpenAI
 * API without `stream: true` answers one JSON response object instead, as the real one does.
 *
 * @param context - emulator state
 * @param backend - which service
 * @param request - the incoming request
 * @param response - the server response
 * @param body - the parsed body
 * @param recorded - completes the request's record: its scenario as soon as it is known, how its stream ended
 */
export async function handleResponsesHttp(
  context: EmulatorContext,
  backend: ResponsesBackend,
  request: IncomingMessage,
  response: ServerResponse,
  body: ParsedBody,
  recorded: RequestRecordUpdate,
): Promise<void> {
  const requestId = createId('req', 16);
  if (answeredCredentialFailure(context, backend, request, response, { 'x-request-id': requestId })) return;
  const parsed = jsonObjectOf(body);
  if (parsed.kind === 'failure') {
    sendJson(response, parsed.status, parsed.body, { 'x-request-id': requestId });
    return;
  }
  const fields = parsed.fields;
  const prepared = prepareResponse(context, {
    backend,
    headers: request.headers,
    body: fields,
    transport: 'http',
  });
  if (prepared.scenario !== undefined) recorded.scenario(prepared.scenario);
  const rateLimitHeaders = backend === 'chatgpt' ? context.rateLimits.nextHeaders() : {};
  if (prepared.kind === 'failure') {
    sendJson(response, prepared.status, prepared.body, {
      ...rateLimitHeaders,
      ...prepared.headers,
      'x-request-id': requestId,
    });
    return;
  }
  if (backend === 'openai' && fields.stream !== true) {
    answerWithoutStreaming(context, prepared, response, {
      ...rateLimitHeaders,
      'x-request-id': requestId,
    });
    return;
  }
  response.writeHead(200, {
    ...rateLimitHeaders,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': requestId,
    // Only a model name that is a valid header value is echoed (anything else would make writeHead throw).
    ...(typeof fields.model === 'string' && /^[\x20-\x7e]{1,200}$/.test(fields.model)
      ? { 'openai-model': fields.model }
      : {}),
  });
  response.flushHeaders();

  const controller = new AbortController();
  const abort = () => controller.abort();
  response.once('close', abort);
  context.closing.addEventListener('abort', abort, { once: true });
  let corked = false;
  const flush = () => {
    if (!corked) return;
    corked = false;
    response.uncork();
  };
  const send = (event: ResponsesEvent): undefined | Promise<void> => {
    if (!corked) {
      corked = true;
      response.cork();
    }
    const written = response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    if (written) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  };
  try {
    const end = await playEvents(prepared, send, controller.signal, flush);
    recorded.streamEnded(end);
    if (end === 'cut') {
      // Flush what was written, then drop the connection without the final chunk: the client sees
      // a stream that ends without a terminal event.
      response.socket?.destroySoon();
      return;
    }
    if (end === 'aborted') {
      response.destroy();
      return;
    }
    if (prepared.continuable) rememberCompleted(context, prepared);
    response.end();
  } finally {
    response.off('close', abort);
    context.closing.removeEventListener('abort', abort);
  }
}

/**
 * The OpenAI API without `stream: true`: one JSON answer — the final `response` object (200), or the
 * error of a failed response (500) or an `error` event (400 for request errors). Scenarios that drop
 * the connection drop it before answering.
 */
function answerWithoutStreaming(
  context: EmulatorContext,
  prepared: PreparedStream,
  response: ServerResponse,
  headers: Record<string, string>,
): void {
  const { cut } = prepared.outcome;
  let last: ResponsesEvent | undefined;
  let count = 0;
  for (const event of prepared.outcome.events) {
    if (cut !== undefined && count >= cut.afterEvents) break;
    last = event;
    count += 1;
  }
  if (cut !== undefined && count >= cut.afterEvents) {
    response.socket?.destroy();
    return;
  }
  if (last?.type === 'error') {
    const error = (last.error ?? {}) as Record<string, unknown>;
    sendJson(response, error.type === 'invalid_request_error' ? 400 : 500, { error }, headers);
    return;
  }
  const final = (last?.response ?? {}) as Record<string, unknown>;
  if (last?.type === 'response.failed') {
    const error = (final.error ?? {}) as Record<string, unknown>;
    sendJson(
      response,
      500,
      apiError(
        typeof error.message === 'string' ? error.message : 'The response failed.',
        'server_error',
        typeof error.code === 'string' ? error.code : 'server_error',
      ),
      headers,
    );
    return;
  }
  if (prepared.continuable) rememberCompleted(context, prepared);
  sendJson(response, 200, final, headers);
}

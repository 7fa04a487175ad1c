import type { RecordedRequest } from '../types.js';
import { normalizeInputItems } from './input-items.js';

/** The recorded facts of a Responses request: its `previous_response_id` and how many input items it sent. */
export type ResponsesRequestFacts = Pick<RecordedRequest, 'previousResponseId' | 'inputItems'>;

/**
 * Reads the facts tests assert on ("turn N sent only its new items") from a Responses body or a
 * `response.create` frame; other bodies and frames (`response.processed`, garbage) give none.
 *
 * @param body - the parsed body or frame
 */
export function responsesRequestFacts(body: unknown): ResponsesRequestFacts {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const fields = body as Record<string, unknown>;
  if (fields.type !== undefined && fields.type !== 'response.create') return {};
  const previous = fields.previous_response_id;
  return {
    inputItems: normalizeInputItems(fields.input).length,
    ...(typeof previous === 'string' && previous !== '' ? { previousResponseId: previous } : {}),
  };
}

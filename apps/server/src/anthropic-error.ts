import { z } from 'zod';
import type { GatewayError } from './openai-error.js';

/** The `error.type` values of Anthropic's error body. */
export const ANTHROPIC_ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
] as const;

/** The zod schema of Anthropic's error body, the answer to every failed `/v1/messages` request. */
export const anthropicErrorBodySchema = z.object({
  type: z.literal('error'),
  error: z.object({
    type: z.enum(ANTHROPIC_ERROR_TYPES).describe('The error family.'),
    message: z.string().describe('What happened and what to do.'),
  }),
});

/** Anthropic's error body: `{"type":"error","error":{"type","message"}}`. */
export type AnthropicErrorBody = z.infer<typeof anthropicErrorBodySchema>;

function anthropicErrorType(error: GatewayError): AnthropicErrorBody['error']['type'] {
  switch (error.status) {
    case 400:
    case 405:
    case 422:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return error.status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

/**
 * A gateway error as Anthropic's error body (its type from the HTTP status, as Anthropic's API maps
 * them).
 *
 * @param error - the gateway error
 */
export function toAnthropicErrorBody(error: GatewayError): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(error), message: error.message } };
}

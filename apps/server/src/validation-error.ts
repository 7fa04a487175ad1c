import type { z } from 'zod';
import { GatewayError } from './openai-error.js';

/** Formats a zod issue path as `messages[0].content`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/**
 * Turns a failed zod validation into a 400 `invalid_request_error` naming the first bad field in
 * `param` and in the message.
 *
 * @param error - the zod error
 */
export function validationErrorToGatewayError(error: z.ZodError): GatewayError {
  const issue = error.issues[0];
  if (issue === undefined)
    return new GatewayError(400, 'invalid_request_error', 'The request body is invalid.');
  const path = [...issue.path];
  // A discriminated union with an unknown discriminator names the discriminator field.
  const discriminator = (issue as { discriminator?: unknown }).discriminator;
  if (issue.code === 'invalid_union' && typeof discriminator === 'string' && path.at(-1) !== discriminator) {
    path.push(discriminator);
  }
  const param = formatIssuePath(path);
  const where = param === '' ? 'the request body' : `'${param}'`;
  return new GatewayError(400, 'invalid_request_error', `Invalid value for ${where}: ${issue.message}.`, {
    param: param === '' ? null : param,
    code:
      issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
        ? 'missing_required_parameter'
        : 'invalid_value',
  });
}

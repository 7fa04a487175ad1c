import { z } from 'zod';
import type { GatewayError } from './openai-error.js';
import { validationErrorToGatewayError } from './validation-error.js';

type Issue = z.core.$ZodIssue;

/**
 * The most specific issue inside a failed union: the branch whose first issue reaches deepest into
 * the value (a `content` array whose second block has an unknown `type` names `content[1].type`, not
 * `content`). When every branch fails at the union itself, one issue lists what each branch expected.
 * Paths are made absolute (a branch's issues are relative to the union).
 *
 * @param issue - a zod issue
 */
export function mostSpecificIssue(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let deepest: Issue | undefined;
  const expected: string[] = [];
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first === undefined) continue;
    const specific = mostSpecificIssue(first);
    if (specific.path.length === 0 && specific.code === 'invalid_type') expected.push(specific.expected);
    if (deepest === undefined || specific.path.length > deepest.path.length) deepest = specific;
  }
  if (deepest === undefined) return issue;
  if (deepest.path.length === 0) {
    if (expected.length !== issue.errors.length) return issue;
    return { ...issue, message: `Invalid input: expected ${expected.join(' or ')}` };
  }
  return { ...deepest, path: [...issue.path, ...deepest.path] };
}

/**
 * A failed validation of a dialect's request body (Anthropic Messages, Ollama) as a 400
 * `invalid_request_error` naming the most specific bad field (see {@link mostSpecificIssue}).
 *
 * @param error - the zod error
 */
export function dialectValidationError(error: z.ZodError): GatewayError {
  const issue = error.issues[0];
  return validationErrorToGatewayError(
    issue === undefined ? error : new z.ZodError([mostSpecificIssue(issue)]),
  );
}

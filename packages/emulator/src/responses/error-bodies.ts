/** An OpenAI-style error body: `{"error":{"message","type","param","code"}}`. */
export interface ApiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * Builds an OpenAI-style error body.
 *
 * @param message - human-readable message
 * @param type - e.g. `invalid_request_error`, `server_error`
 * @param code - machine code or null
 * @param param - offending parameter or null
 */
export function apiError(
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
): ApiErrorBody {
  return { error: { message, type, param, code } };
}

/** The usage-limit body of a 429 (`usage_limit_reached`). */
export function usageLimitBody(
  planType: string,
  resetsAt: number,
  resetsInSeconds: number,
): Record<string, unknown> {
  return {
    error: {
      type: 'usage_limit_reached',
      message: 'The usage limit has been reached',
      plan_type: planType,
      resets_at: resetsAt,
      resets_in_seconds: resetsInSeconds,
    },
  };
}

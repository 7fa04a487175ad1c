import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { sendJson } from '../http-utilities.js';
import { apiError } from '../responses/error-bodies.js';
import { answeredCredentialFailure } from '../responses/request-validation.js';

/** One usage window of the `/usage` answer. */
interface UsageWindow {
  used_percent: number;
  limit_window_seconds: number;
  reset_after_seconds: number;
  reset_at: number;
}

function windowOf(headers: Record<string, string>, name: 'primary' | 'secondary'): UsageWindow {
  const number = (suffix: string) => Number(headers[`x-codex-${name}-${suffix}`] ?? 0);
  return {
    used_percent: number('used-percent'),
    limit_window_seconds: number('window-minutes') * 60,
    reset_after_seconds: number('reset-after-seconds'),
    reset_at: number('reset-at'),
  };
}

/**
 * `GET /backend-api/codex/usage`: the usage windows without spending a request, as the real backend
 * answers them (`{plan_type, rate_limit:{primary_window, secondary_window}, credits}`), from the same
 * numbers as the `x-codex-*` headers (asking does not count as a request). Needs the same credentials
 * as `/responses`.
 *
 * @param context - emulator state
 * @param request - the request
 * @param response - the response
 */
export function handleUsage(
  context: EmulatorContext,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  if (answeredCredentialFailure(context, 'chatgpt', request, response)) return;
  if (context.options().usageEndpoint === false) {
    sendJson(response, 403, apiError('Usage is not available.', 'invalid_request_error', 'forbidden'));
    return;
  }
  const headers = context.rateLimits.currentHeaders();
  const primary = windowOf(headers, 'primary');
  const secondary = windowOf(headers, 'secondary');
  const balance = context.options().rateLimit?.creditsBalance;
  sendJson(response, 200, {
    plan_type: context.rateLimits.planType(),
    rate_limit: {
      allowed: primary.used_percent < 100 && secondary.used_percent < 100,
      limit_reached: primary.used_percent >= 100 || secondary.used_percent >= 100,
      primary_window: primary,
      secondary_window: secondary,
    },
    credits:
      balance === undefined
        ? { has_credits: false, unlimited: false, balance: null }
        : { has_credits: balance > 0, unlimited: false, balance: String(balance) },
  });
}

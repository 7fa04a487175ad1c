import type { GatewayContext } from './gateway-context.js';
import { isRecord } from './is-record.js';

function numberAt(record: unknown, ...keys: string[]): number {
  let value: unknown = record;
  for (const key of keys) value = isRecord(value) ? value[key] : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Counts the tokens of a finished Responses answer (`response.usage` of its terminal event) in the
 * metrics, in total and for the key that asked; nothing when it carries no usage.
 *
 * @param context - shared gateway state (its metrics)
 * @param response - the `response` object of `response.completed`, `.incomplete` or `.failed`
 * @param key - the name of the client key the request was authenticated with, when known
 */
export function recordResponseUsage(
  context: GatewayContext,
  response: unknown,
  key: string | undefined,
): void {
  if (!isRecord(response) || !isRecord(response.usage)) return;
  const usage = response.usage;
  context.metrics.addTokens('prompt', numberAt(usage, 'input_tokens'), key);
  context.metrics.addTokens('completion', numberAt(usage, 'output_tokens'), key);
  context.metrics.addTokens('cached', numberAt(usage, 'input_tokens_details', 'cached_tokens'), key);
  context.metrics.addTokens('reasoning', numberAt(usage, 'output_tokens_details', 'reasoning_tokens'), key);
}

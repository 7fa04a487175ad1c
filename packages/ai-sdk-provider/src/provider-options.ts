import type { SharedV4ProviderOptions } from '@ai-sdk/provider';
import { parseProviderOptions } from '@ai-sdk/provider-utils';
import { z } from 'zod';

/** The key of this provider's entry in `providerOptions` and `providerMetadata`. */
export const PROVIDER_OPTIONS_KEY = 'codetether';

/** Schema of `providerOptions.codetether` on a call. */
const callProviderOptionsSchema = z.object({
  reasoningEffort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).optional(),
  reasoningSummary: z.enum(['auto', 'concise', 'detailed']).optional(),
  textVerbosity: z.enum(['low', 'medium', 'high']).optional(),
  serviceTier: z.enum(['auto', 'default', 'flex', 'priority']).optional(),
  conversationId: z.string().min(1).optional(),
  continuation: z.boolean().optional(),
  store: z.boolean().optional(),
  strictJsonSchema: z.boolean().optional(),
});

/**
 * `providerOptions.codetether` of a call (`streamText({ providerOptions: { codetether: {…} } })`):
 *
 * - `reasoningEffort`: overrides the SDK's `reasoning` setting and the model alias (`gpt-5.4:high`);
 * - `reasoningSummary`: `reasoning.summary` (`auto` by default, `concise`, `detailed`);
 * - `textVerbosity`: `text.verbosity`, on models that support it (elsewhere an `unsupported` warning);
 * - `serviceTier`: `priority` selects the model's `-fast` alias (`service_tier: "priority"`); `flex`
 *   sends `service_tier: "flex"` on models that list it (elsewhere an `unsupported` warning);
 *   `auto`/`default` change nothing;
 * - `conversationId`: the session id (`session-id` header, `prompt_cache_key`, the conversation and
 *   its WebSocket); default: one id per model instance;
 * - `continuation`: `false` sends the whole prompt every call, without a conversation (default true:
 *   a call that continues the session's previous one sends only the new items, `previous_response_id`);
 * - `store`: API key only: let the OpenAI API store the response;
 * - `strictJsonSchema`: send structured output schemas with `strict: true` (default false).
 */
export type CodetetherCallProviderOptions = z.infer<typeof callProviderOptionsSchema>;

/** Reads and validates `providerOptions.codetether` (an `InvalidArgumentError` when it is invalid). */
export async function readCallProviderOptions(
  providerOptions: SharedV4ProviderOptions | undefined,
): Promise<CodetetherCallProviderOptions> {
  const parsed = await parseProviderOptions({
    provider: PROVIDER_OPTIONS_KEY,
    providerOptions,
    schema: callProviderOptionsSchema,
  });
  return parsed ?? {};
}

import type { Backend, ReasoningEffort } from '@codetether/responses-protocol';
import { resolveModelAlias } from '@codetether/responses-protocol';
import { CodexProviderError } from './errors.js';

/** Options for {@link preparePassthroughBody}. */
export interface PassthroughBodyOptions {
  /** The backend the body goes to. */
  backend: Backend;
  /** Session id used for `prompt_cache_key` when the client sent none. */
  sessionId: string;
  /** Effort applied when neither the alias nor the body sets one. */
  defaultEffort?: ReasoningEffort | undefined;
  /** Instructions used when the ChatGPT backend would otherwise get none. */
  defaultInstructions: string;
}

/** A client's Responses body after the backend-specific fixes, plus the model the client asked for. */
export interface PreparedPassthroughBody {
  /** The body to send. */
  body: Record<string, unknown>;
  /** The model exactly as the client spelled it (for validation and error messages). */
  requestedModel: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Fields of a client's body the ChatGPT backend refuses (400 `Unsupported parameter: <field>`, on every
 * model), left out for it: the output limits (`max_output_tokens` and the Chat Completions names),
 * sampling settings (`temperature`, `top_p`, the penalties), the OpenAI API's per-end-user fields
 * (`user`, `safety_identifier`, `prompt_cache_retention`) and `metadata`. The OpenAI API gets them all.
 */
export const CHATGPT_REFUSED_FIELDS: readonly string[] = [
  'max_output_tokens',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'frequency_penalty',
  'presence_penalty',
  'user',
  'safety_identifier',
  'prompt_cache_retention',
  'metadata',
];

/**
 * Prepares a Responses request body received from a client (the server's `/v1/responses`) for the
 * backend: resolves model aliases (effort suffix, `-fast` → priority tier), always streams, and for the
 * ChatGPT backend leaves out {@link CHATGPT_REFUSED_FIELDS}, forces `store: false`, turns a string
 * `input` into a message item, fills missing `instructions` and sets `prompt_cache_key` to the session id.
 */
export function preparePassthroughBody(
  source: Record<string, unknown>,
  options: PassthroughBodyOptions,
): PreparedPassthroughBody {
  const requestedModel = source.model;
  if (typeof requestedModel !== 'string' || requestedModel.trim() === '') {
    throw new CodexProviderError(
      'invalid-request',
      'The request body has no `model`. Set `model`, e.g. "gpt-5.4".',
      {
        isRetryable: false,
      },
    );
  }
  const body: Record<string, unknown> = { ...source };
  delete body.type;
  const resolved = resolveModelAlias(requestedModel);
  body.model = resolved.model;
  const reasoning = isRecord(body.reasoning) ? body.reasoning : {};
  if (resolved.reasoningEffort !== undefined) {
    // An effort suffix on the model name is explicit and wins.
    body.reasoning = { ...reasoning, effort: resolved.reasoningEffort };
  } else if (options.defaultEffort !== undefined && reasoning.effort === undefined) {
    // The environment default applies only where the model accepts an effort and the client set none.
    const withDefault = resolveModelAlias(requestedModel, { defaultEffort: options.defaultEffort });
    if (withDefault.reasoningEffort !== undefined)
      body.reasoning = { ...reasoning, effort: withDefault.reasoningEffort };
  }
  if (resolved.serviceTier !== undefined && body.service_tier === undefined)
    body.service_tier = resolved.serviceTier;
  body.stream = true;
  if (options.backend === 'chatgpt') {
    for (const field of CHATGPT_REFUSED_FIELDS) delete body[field];
    body.store = false;
    if (typeof body.input === 'string') {
      body.input = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: body.input }] }];
    }
    if (typeof body.instructions !== 'string' || body.instructions.trim() === '') {
      body.instructions = options.defaultInstructions;
    }
  }
  if (body.prompt_cache_key === undefined) body.prompt_cache_key = options.sessionId;
  return { body, requestedModel };
}

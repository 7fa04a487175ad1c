import { resolveModelAlias } from '@codetether/responses-protocol';
import { CodexProviderError } from './errors.js';
import { findModel, listedModels, type ModelInfo, type ModelList } from './model-catalogue.js';

/** Who is asking: the plan named in the error of a model the account cannot use. */
export interface ModelAccount {
  /** The ChatGPT plan (plus, pro, free…), when known. */
  planType?: string | undefined;
}

/**
 * The actionable error of a model the ChatGPT backend does not serve to this account: it names the
 * plan and the models the account can use, and how to pick up a model that appeared since.
 *
 * @param model - the model asked for, as written
 * @param list - the account's model list
 * @param account - the plan
 */
export function unsupportedModelError(
  model: string,
  list: ModelList,
  account: ModelAccount,
  cause?: unknown,
): CodexProviderError {
  const plan = account.planType === undefined ? 'a ChatGPT account' : `a ChatGPT ${account.planType} plan`;
  const available = listedModels(list).map((entry) => entry.id);
  return new CodexProviderError(
    'unsupported-model',
    `Model '${model}' is not supported when using Codex with ${plan}. Supported models: ${available.join(', ')}. ` +
      'Pick one of them, or run `codetether models --refresh` to update the list.',
    { isRetryable: false, status: 404, cause },
  );
}

function invalidAlias(message: string): CodexProviderError {
  return new CodexProviderError('invalid-request', message, { isRetryable: false, status: 400 });
}

/** The efforts an alias suffix may name when the model list does not say. */
const SUFFIX_EFFORTS = ['none', 'low', 'medium', 'high', 'xhigh'];

/**
 * The error of a known model with a suffix that is not a reasoning effort (`gpt-5.4:banana`,
 * `gpt-5.4:`), naming the suffix rather than calling the whole name an unsupported model; `undefined`
 * when the name before the last `:` is not a known model either.
 */
function misspeltEffortError(model: string, list: ModelList): CodexProviderError | undefined {
  const colon = model.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const name = model.slice(0, colon);
  const info = findModel(list, resolveModelAlias(name).model) ?? findModel(list, name);
  if (info === undefined) return undefined;
  const efforts = info.supportedReasoningEfforts.length > 0 ? info.supportedReasoningEfforts : SUFFIX_EFFORTS;
  return invalidAlias(
    `'${model.slice(colon + 1)}' after ':' in '${model}' is not a reasoning effort. Use one of: ${efforts.join(', ')} (e.g. ${info.id}:${efforts.at(-1)}).`,
  );
}

/**
 * Checks a model name (or alias) against the ChatGPT backend's live list and returns what the list
 * says about it. Hidden models are accepted. An `:effort` the model does not support and a `-fast`
 * alias on a model without the priority tier are `invalid-request` errors naming what works, and so is
 * a known model with a suffix that is no effort at all (`gpt-5.4:banana`); an unknown model is
 * {@link unsupportedModelError}.
 *
 * @param model - the model or alias as written (`gpt-5.4:high`, `gpt-5.5-fast`)
 * @param list - the account's model list
 * @param account - the plan, for the error
 */
export function checkModelRequest(model: string, list: ModelList, account: ModelAccount): ModelInfo {
  const resolved = resolveModelAlias(model);
  const info = findModel(list, resolved.model) ?? findModel(list, model);
  if (info === undefined) {
    throw misspeltEffortError(model, list) ?? unsupportedModelError(model, list, account);
  }
  const efforts = info.supportedReasoningEfforts;
  if (resolved.effort !== undefined && efforts.length > 0 && !efforts.includes(resolved.effort)) {
    throw invalidAlias(
      `Model '${info.id}' does not support reasoning effort '${resolved.effort}'. Use one of: ${efforts.join(', ')} (e.g. ${info.id}:${efforts.at(-1)}).`,
    );
  }
  if (
    resolved.serviceTier !== undefined &&
    info.serviceTiers !== undefined &&
    !info.serviceTiers.includes(resolved.serviceTier)
  ) {
    throw invalidAlias(
      `Model '${info.id}' has no ${resolved.serviceTier} tier, so '${model}' cannot work. Use '${info.id}' without '-fast'.`,
    );
  }
  return info;
}

/**
 * Drops `text.verbosity` from a request body when the model does not support it (the backend rejects
 * it there), with a warning; other bodies are returned unchanged.
 *
 * @param body - a Responses request body
 * @param info - what the model list says about its model (`undefined`: unknown, left alone)
 * @param onWarning - told what was dropped
 */
export function withSupportedVerbosity(
  body: Record<string, unknown>,
  info: ModelInfo | undefined,
  onWarning: ((message: string) => void) | undefined,
): Record<string, unknown> {
  const { text } = body;
  if (info === undefined || info.supportsVerbosity || typeof text !== 'object' || text === null) return body;
  if (!('verbosity' in text)) return body;
  const { verbosity: _dropped, ...rest } = text as Record<string, unknown>;
  onWarning?.(`Model '${info.id}' does not support text.verbosity; it was not sent.`);
  const result: Record<string, unknown> = { ...body, text: rest };
  if (Object.keys(rest).length === 0) delete result.text;
  return result;
}

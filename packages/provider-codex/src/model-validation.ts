import { parseReasoningEffort, resolveModelAlias } from '@codetether/responses-protocol';
import { CodexProviderError } from './errors.js';
import { findModel, listedModels, type ModelInfo, type ModelList } from './model-catalogue.js';

/** Who is asking: the plan named in the error of a model the account cannot use. */
export interface ModelAccount {
  /** The ChatGPT plan (plus, pro, free…), when known. */
  planType?: string | undefined;
}

/** The longest model name (alias suffixes included) a request may name. */
const MAX_MODEL_NAME_LENGTH = 256;

/** The most model ids an error names (the rest are counted). */
const MAX_NAMED_MODELS = 40;

/** The longest part of a requested name an error repeats. */
const MAX_ECHOED_NAME_LENGTH = 80;

/** A requested name as an error repeats it: at most 80 characters, control characters escaped (`\u0000`). */
function echoed(name: string): string {
  const shown = name.length > MAX_ECHOED_NAME_LENGTH ? `${name.slice(0, MAX_ECHOED_NAME_LENGTH)}…` : name;
  return shown.replace(
    /[\u0000-\u001f\u007f]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Refuses a requested model name that cannot be a model at all — empty, longer than 256 characters, or
 * with whitespace or control characters — as `invalid-request` (400), before any model list is read.
 *
 * @param model - the model or alias as written
 */
export function checkModelName(model: string): void {
  if (model.length > MAX_MODEL_NAME_LENGTH) {
    throw invalidAlias(
      `The model name '${echoed(model)}' is ${model.length} characters long; model names have at most ${MAX_MODEL_NAME_LENGTH}. Send a model id such as gpt-5.4 (see GET /v1/models).`,
    );
  }
  if (model === '' || /[\s\u0000-\u001f\u007f]/.test(model)) {
    throw invalidAlias(
      `'${echoed(model)}' is not a model name: names have no spaces or control characters. Send a model id such as gpt-5.4 (see GET /v1/models).`,
    );
  }
}

/**
 * The model ids an error offers, comma-separated: at most 40, the rest counted (`… and 960 more`), so a
 * huge list never makes a huge message.
 *
 * @param ids - the ids, in the order to show
 */
export function formatModelChoices(ids: readonly string[]): string {
  const named = ids.slice(0, MAX_NAMED_MODELS).join(', ');
  return ids.length > MAX_NAMED_MODELS ? `${named} and ${ids.length - MAX_NAMED_MODELS} more` : named;
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
  return new CodexProviderError(
    'unsupported-model',
    `Model '${echoed(model)}' is not supported when using Codex with ${plan}. Supported models: ${formatModelChoices(listedModels(list).map((entry) => entry.id))}. ` +
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
 * The efforts of a model an alias suffix can name: those of the list this release knows (an unknown one
 * such as `banana` cannot be written as a suffix); empty — anything goes — when it names none.
 */
function nameableEfforts(info: ModelInfo): string[] {
  return info.supportedReasoningEfforts.filter((effort) => parseReasoningEffort(effort) === effort);
}

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
  const listed = nameableEfforts(info);
  const efforts = listed.length > 0 ? listed : SUFFIX_EFFORTS;
  return invalidAlias(
    `'${echoed(model.slice(colon + 1))}' after ':' in '${echoed(model)}' is not a reasoning effort. Use one of: ${efforts.join(', ')} (e.g. ${info.id}:${efforts.at(-1)}).`,
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
  const efforts = nameableEfforts(info);
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
      `Model '${info.id}' has no ${resolved.serviceTier} tier, so '${echoed(model)}' cannot work. Use '${info.id}' without '-fast'.`,
    );
  }
  return info;
}

/**
 * {@link checkModelRequest} against the list at hand, which may not be the backend's own: when the live
 * list could not be read (the list is the disk cache or the bundled one, which can miss a model added
 * upstream since), a well-formed model name the list does not know is let through — `undefined`, sent
 * as is, and the backend answers with its own error when it does not serve it. A known model with a
 * suffix that is no effort (`gpt-5.4:banana`) is still refused; with the live list every check applies.
 *
 * @param model - the model or alias as written (already through {@link checkModelName})
 * @param list - the account's model list (`source` says whether the backend gave it)
 * @param account - the plan, for the error
 */
export function checkModelAgainstAvailableList(
  model: string,
  list: ModelList,
  account: ModelAccount,
): ModelInfo | undefined {
  const known = findModel(list, resolveModelAlias(model).model) ?? findModel(list, model);
  if (list.source === 'live' || known !== undefined) return checkModelRequest(model, list, account);
  const misspelt = misspeltEffortError(model, list);
  if (misspelt !== undefined) throw misspelt;
  return undefined;
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

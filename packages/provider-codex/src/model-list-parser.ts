import { type Backend, modelSupportsReasoningEffort } from '@codetether/responses-protocol';
import {
  bundledModelInfo,
  DEFAULT_CONTEXT_WINDOW,
  DEFAULT_MAX_OUTPUT_TOKENS,
  type ModelInfo,
  UNRANKED_PRIORITY,
} from './model-catalogue.js';

/** Model ids of the OpenAI API list that are not text models the Responses API can stream. */
const NON_TEXT_MODEL = /(audio|realtime|image|tts|transcribe|embedding|instruct|moderation|search)/i;

/** Model ids of the OpenAI API list worth showing: the GPT, o-series and Codex families. */
const TEXT_MODEL_FAMILY = /^(gpt-|o\d|codex)/i;

/**
 * What a model id may look like: a letter or digit, then letters, digits, `.`, `_`, `:` and `-`, at
 * most 128 characters. Anything else (path separators, `..`, whitespace, control characters, a 10 kB
 * string) is no model name a client could send back, and the entry is skipped.
 */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The most models kept from one list; the rest is ignored (real lists have a few dozen). */
export const MAX_LISTED_MODELS = 1_000;

/** The most names kept in one list field (efforts, tiers, modalities). */
const MAX_NAMES = 32;

/** The longest name (effort, tier, verbosity…), display name and description kept. */
const MAX_NAME_LENGTH = 64;
const MAX_DISPLAY_NAME_LENGTH = 200;
const MAX_DESCRIPTION_LENGTH = 2_000;

/** The smallest and largest token counts believed (a context window of 1 token would compact every turn). */
const MIN_TOKEN_COUNT = 1_024;
const MAX_TOKEN_COUNT = 2_147_483_647;

/** The longest ETag kept and sent back. */
const MAX_ENTITY_TAG_LENGTH = 1_024;

function text(value: unknown, maxLength = MAX_NAME_LENGTH): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, maxLength);
}

/** A token count: an integer in a believable range, else `undefined` (the known or default value is used). */
function tokenCount(value: unknown): number | undefined {
  return Number.isInteger(value) &&
    (value as number) >= MIN_TOKEN_COUNT &&
    (value as number) <= MAX_TOKEN_COUNT
    ? (value as number)
    : undefined;
}

/** A model id as sent by the backend, when it is one (see {@link MODEL_ID}). */
function modelId(value: unknown): string | undefined {
  return typeof value === 'string' && MODEL_ID.test(value.trim()) ? value.trim() : undefined;
}

/**
 * An `ETag` worth keeping and sending back as `If-None-Match`: visible ASCII (spaces inside), at most
 * 1,024 characters; anything else (a header-breaking CR/LF from a tampered cache) is `undefined`.
 *
 * @param value - the header or the cached value
 */
export function readEntityTag(value: unknown): string | undefined {
  return typeof value === 'string' &&
    value.length <= MAX_ENTITY_TAG_LENGTH &&
    /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value)
    ? value
    : undefined;
}

/**
 * Whether a list has a model to offer (one whose visibility is `list`): an empty list, or one of hidden
 * models only, is no list — it would make every model unsupported.
 *
 * @param models - the models read
 */
export function hasListedModel(models: readonly ModelInfo[]): boolean {
  return models.some((model) => model.visibility === 'list');
}

function flag(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Strings of an array whose entries are strings or objects naming one (`{effort}`, `{id}`…). */
function names(value: unknown, keys: readonly string[]): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const result: string[] = [];
  for (const entry of value.slice(0, MAX_NAMES)) {
    const candidate =
      typeof entry === 'object' && entry !== null
        ? keys.map((key) => text((entry as Record<string, unknown>)[key])).find((name) => name !== undefined)
        : text(entry);
    if (candidate !== undefined && !result.includes(candidate)) result.push(candidate);
  }
  return result;
}

/**
 * Reads one entry of the ChatGPT backend's `/models` list (`slug`, `display_name`,
 * `supported_reasoning_levels`…) or of the OpenAI API's (`id`). Missing or odd fields take the bundled
 * value of a known model, else a default; an entry without an id is `undefined` (skipped).
 *
 * @param raw - one entry as received
 * @param backend - the backend that sent it
 */
export function parseModelEntry(raw: unknown, backend: Backend): ModelInfo | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const fields = raw as Record<string, unknown>;
  const id = fields.slug === undefined ? modelId(fields.id) : modelId(fields.slug);
  if (id === undefined) return undefined;
  const known = bundledModelInfo(id);
  const efforts = (names(fields.supported_reasoning_levels, ['effort', 'id', 'name']) ?? []).map((effort) =>
    effort.toLowerCase(),
  );
  const defaultEffort = text(fields.default_reasoning_level)?.toLowerCase();
  const modalities = names(fields.input_modalities, ['type', 'id']);
  const model: ModelInfo = {
    id,
    name: text(fields.display_name, MAX_DISPLAY_NAME_LENGTH) ?? known?.name ?? id,
    description: text(fields.description, MAX_DESCRIPTION_LENGTH) ?? '',
    contextWindow: tokenCount(fields.context_window) ?? known?.contextWindow ?? DEFAULT_CONTEXT_WINDOW,
    maxOutputTokens:
      tokenCount(fields.max_output_tokens) ?? known?.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
    supportsVision: modalities?.includes('image') ?? known?.supportsVision ?? false,
    supportsTools: true,
    supportsStreaming: true,
    supportsReasoning: efforts.length > 0 || defaultEffort !== undefined || modelSupportsReasoningEffort(id),
    supportedReasoningEfforts: efforts,
    supportsReasoningSummaries:
      flag(fields.supports_reasoning_summaries) ?? known?.supportsReasoningSummaries ?? false,
    supportsVerbosity:
      flag(fields.support_verbosity) ?? flag(fields.supports_verbosity) ?? known?.supportsVerbosity ?? false,
    visibility: text(fields.visibility) ?? 'list',
    priority:
      typeof fields.priority === 'number' && Number.isFinite(fields.priority)
        ? fields.priority
        : UNRANKED_PRIORITY,
    inputCostPerMillion: 0,
    outputCostPerMillion: 0,
    backends: [backend],
  };
  if (defaultEffort !== undefined) model.defaultReasoningEffort = defaultEffort;
  const defaultVerbosity = text(fields.default_verbosity);
  if (defaultVerbosity !== undefined) model.defaultVerbosity = defaultVerbosity;
  const tiers = names(fields.service_tiers, ['id', 'name', 'tier', 'slug']);
  if (tiers !== undefined) model.serviceTiers = tiers;
  const minimalClientVersion = text(fields.minimal_client_version);
  if (minimalClientVersion !== undefined) model.minimalClientVersion = minimalClientVersion;
  return model;
}

/**
 * Reads a `/models` answer: the ChatGPT backend's `{models:[…]}` or the OpenAI API's `{data:[…]}`.
 * Entries that cannot be read (or whose id is no model name) are skipped, duplicates (in any case) keep
 * the first, at most {@link MAX_LISTED_MODELS} are kept, the result is sorted by `priority`; an OpenAI
 * API list keeps only the GPT, o-series and Codex text models.
 *
 * @param body - the parsed JSON body
 * @param backend - the backend that sent it
 * @returns the models, or `undefined` when the body is not a model list at all
 */
export function parseModelList(body: unknown, backend: Backend): ModelInfo[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { models, data } = body as { models?: unknown; data?: unknown };
  const entries = Array.isArray(models) ? models : Array.isArray(data) ? data : undefined;
  if (entries === undefined) return undefined;
  const result: ModelInfo[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (result.length >= MAX_LISTED_MODELS) break;
    const model = parseModelEntry(entry, backend);
    if (model === undefined || seen.has(model.id.toLowerCase())) continue;
    if (backend === 'openai' && (!TEXT_MODEL_FAMILY.test(model.id) || NON_TEXT_MODEL.test(model.id)))
      continue;
    seen.add(model.id.toLowerCase());
    result.push(model);
  }
  // Array.prototype.sort is stable: equal priorities keep the order the backend sent them in.
  return result.sort((left, right) => left.priority - right.priority);
}

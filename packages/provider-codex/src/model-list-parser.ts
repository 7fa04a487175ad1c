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

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function positiveNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function flag(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Strings of an array whose entries are strings or objects naming one (`{effort}`, `{id}`…). */
function names(value: unknown, keys: readonly string[]): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const result: string[] = [];
  for (const entry of value) {
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
  const id = text(fields.slug) ?? text(fields.id);
  if (id === undefined) return undefined;
  const known = bundledModelInfo(id);
  const efforts = names(fields.supported_reasoning_levels, ['effort', 'id', 'name']) ?? [];
  const defaultEffort = text(fields.default_reasoning_level);
  const modalities = names(fields.input_modalities, ['type', 'id']);
  const model: ModelInfo = {
    id,
    name: text(fields.display_name) ?? known?.name ?? id,
    description: text(fields.description) ?? '',
    contextWindow: positiveNumber(fields.context_window) ?? known?.contextWindow ?? DEFAULT_CONTEXT_WINDOW,
    maxOutputTokens:
      positiveNumber(fields.max_output_tokens) ?? known?.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
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
 * Entries that cannot be read are skipped, duplicates keep the first, the result is sorted by
 * `priority`; an OpenAI API list keeps only the GPT, o-series and Codex text models.
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
  for (const entry of entries) {
    const model = parseModelEntry(entry, backend);
    if (model === undefined || result.some((existing) => existing.id === model.id)) continue;
    if (backend === 'openai' && (!TEXT_MODEL_FAMILY.test(model.id) || NON_TEXT_MODEL.test(model.id)))
      continue;
    result.push(model);
  }
  // Array.prototype.sort is stable: equal priorities keep the order the backend sent them in.
  return result.sort((left, right) => left.priority - right.priority);
}

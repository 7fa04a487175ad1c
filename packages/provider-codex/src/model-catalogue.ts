import type { Backend } from '@codetether/responses-protocol';
import { resolveModelAlias } from '@codetether/responses-protocol';
import { CodexProviderError } from './errors.js';

/** What the provider knows about one model. */
export interface ModelInfo {
  /** The id to put in a request (`gpt-5.4`); aliases such as `gpt-5.4:high` are accepted too. */
  id: string;
  /** A human-readable name. */
  name: string;
  /** Context window in tokens. */
  contextWindow: number;
  /** Largest output in tokens. */
  maxOutputTokens: number;
  /** Whether the model accepts images. */
  supportsVision: boolean;
  /** Whether the model can call tools. */
  supportsTools: boolean;
  /** Whether the model streams. */
  supportsStreaming: boolean;
  /** Whether the model accepts a reasoning effort. */
  supportsReasoning: boolean;
  /** USD per million input tokens (zero on the ChatGPT subscription). */
  inputCostPerMillion: number;
  /** USD per million output tokens (zero on the ChatGPT subscription). */
  outputCostPerMillion: number;
  /** The backends that serve this model. */
  backends: Backend[];
}

interface CatalogueEntry {
  id: string;
  name: string;
  contextWindow: number;
  maxOutputTokens: number;
  supportsVision: boolean;
  /** API prices in USD per million tokens; the reference provider lists zero for every model. */
  apiInputCostPerMillion: number;
  apiOutputCostPerMillion: number;
}

function entry(
  id: string,
  name: string,
  contextWindow: number,
  maxOutputTokens: number,
  supportsVision: boolean,
): CatalogueEntry {
  return {
    id,
    name,
    contextWindow,
    maxOutputTokens,
    supportsVision,
    apiInputCostPerMillion: 0,
    apiOutputCostPerMillion: 0,
  };
}

/** The full model catalogue, in the reference provider's order, before per-backend filtering. */
const CATALOGUE: readonly CatalogueEntry[] = [
  entry('gpt-5', 'GPT-5', 400_000, 128_000, false),
  entry('gpt-5-mini', 'GPT-5 Mini', 264_000, 64_000, false),
  entry('gpt-5.1-codex', 'GPT-5.1 Codex', 400_000, 128_000, false),
  entry('gpt-5.2', 'GPT-5.2', 400_000, 128_000, false),
  entry('gpt-5.3-codex', 'GPT-5.3 Codex', 400_000, 128_000, false),
  entry('gpt-5.4', 'GPT-5.4', 272_000, 128_000, false),
  entry('gpt-5.4-fast', 'GPT-5.4 Fast', 272_000, 128_000, false),
  entry('gpt-5.4-pro', 'GPT-5.4 Pro', 272_000, 128_000, false),
  entry('gpt-5.5', 'GPT-5.5', 400_000, 128_000, false),
  entry('gpt-5.5-fast', 'GPT-5.5 Fast', 400_000, 128_000, false),
  entry('o3', 'O3', 200_000, 100_000, true),
  entry('o4-mini', 'O4 Mini', 200_000, 100_000, true),
];

/** Models the ChatGPT Codex backend serves to a ChatGPT login (the reference's list, in its order). */
export const CHATGPT_SUPPORTED_MODELS: readonly string[] = [
  'gpt-5',
  'gpt-5-mini',
  'gpt-5.1-codex',
  'gpt-5.2',
  'gpt-5.3-codex',
  'gpt-5.4',
  'gpt-5.5',
  'gpt-5.5-fast',
  'o3',
  'o4-mini',
];

/** Models the reference hides from an API-key listing for now (they are still accepted if requested). */
export const API_KEY_HIDDEN_MODELS: readonly string[] = ['gpt-5.5', 'gpt-5.5-fast'];

function supportsReasoningEffort(model: string): boolean {
  const normalized = model.toLowerCase();
  return ['gpt-5', 'o1', 'o3', 'o4'].some((prefix) => normalized.startsWith(prefix));
}

function isServedBy(id: string, backend: Backend): boolean {
  return backend === 'chatgpt' ? CHATGPT_SUPPORTED_MODELS.includes(id) : !API_KEY_HIDDEN_MODELS.includes(id);
}

/**
 * The models to show for a backend, filtered exactly as the reference does: a ChatGPT login sees only
 * the ChatGPT-supported models (at zero cost, the subscription pays), an API key sees everything except
 * the models hidden from API listings.
 */
export function listModelsForBackend(backend: Backend): ModelInfo[] {
  return CATALOGUE.filter((model) => isServedBy(model.id, backend)).map((model) => {
    const backends: Backend[] = (['chatgpt', 'openai'] as const).filter((candidate) =>
      isServedBy(model.id, candidate),
    );
    return {
      id: model.id,
      name: model.name,
      contextWindow: model.contextWindow,
      maxOutputTokens: model.maxOutputTokens,
      supportsVision: model.supportsVision,
      supportsTools: true,
      supportsStreaming: true,
      supportsReasoning: supportsReasoningEffort(model.id),
      inputCostPerMillion: backend === 'chatgpt' ? 0 : model.apiInputCostPerMillion,
      outputCostPerMillion: backend === 'chatgpt' ? 0 : model.apiOutputCostPerMillion,
      backends,
    };
  });
}

/**
 * Throws `unsupported-model` when a ChatGPT login asks for a model the ChatGPT backend doesn't serve.
 * Aliases (`gpt-5.4-fast:high`) are accepted when the name or its resolved base model is supported.
 * The OpenAI API accepts any model name (the API itself reports unknown models).
 */
export function validateModelForBackend(model: string, backend: Backend): void {
  if (backend !== 'chatgpt') return;
  const resolved = resolveModelAlias(model).model;
  if (CHATGPT_SUPPORTED_MODELS.includes(model) || CHATGPT_SUPPORTED_MODELS.includes(resolved)) return;
  throw new CodexProviderError(
    'unsupported-model',
    `Model '${model}' is not supported when using Codex with a ChatGPT account. Supported models: ${CHATGPT_SUPPORTED_MODELS.join(', ')}`,
    { isRetryable: false },
  );
}

import type { Backend } from '@codetether/responses-protocol';

/** What the provider knows about one model: the backend's own description when it sent one. */
export interface ModelInfo {
  /** The id to put in a request (`gpt-5.4`); aliases such as `gpt-5.4:high` are accepted too. */
  id: string;
  /** A human-readable name (the backend's `display_name`). */
  name: string;
  /** What the model is for (the backend's `description`; empty when it gave none). */
  description: string;
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
  /** The efforts the model accepts (`low`, `medium`…); empty when the backend did not say (then any is sent). */
  supportedReasoningEfforts: string[];
  /** The effort the backend uses when none is sent, when it said. */
  defaultReasoningEffort?: string;
  /** Whether the model produces reasoning summaries. */
  supportsReasoningSummaries: boolean;
  /** Whether the model accepts `text.verbosity`. */
  supportsVerbosity: boolean;
  /** The verbosity the backend uses when none is sent, when it said. */
  defaultVerbosity?: string;
  /**
   * The service tiers the model offers (`priority` makes `-fast` aliases work); `undefined` when the
   * backend did not say (then `-fast` is sent and the backend decides).
   */
  serviceTiers?: string[];
  /** `list` for a model to show; anything else (`hide`) is accepted in requests but not listed. */
  visibility: string;
  /** Sort order: lower first. */
  priority: number;
  /** The oldest client version the backend serves this model to, when it said. */
  minimalClientVersion?: string;
  /** USD per million input tokens (zero on the ChatGPT subscription). */
  inputCostPerMillion: number;
  /** USD per million output tokens (zero on the ChatGPT subscription). */
  outputCostPerMillion: number;
  /** The backends that serve this model. */
  backends: Backend[];
}

/** Where a model list came from: the backend just now, the disk cache, or the list bundled with this release. */
export type ModelListSource = 'live' | 'cache' | 'bundled';

/** A backend's model list as the provider knows it. */
export interface ModelList {
  /** Every model, hidden ones included, in sort order. */
  models: ModelInfo[];
  /** Where the list came from. */
  source: ModelListSource;
  /** When the backend last confirmed it, epoch ms (`undefined` for the bundled list). */
  fetchedAt?: number;
}

/** Context window assumed for a model the backend listed without one and this release does not know. */
export const DEFAULT_CONTEXT_WINDOW = 272_000;

/** Largest output assumed for a model this release does not know. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 128_000;

/** Sort position of a model the backend gave no priority: after every model that has one. */
export const UNRANKED_PRIORITY = Number.MAX_SAFE_INTEGER;

const ALL_EFFORTS = ['low', 'medium', 'high', 'xhigh'];

interface BundledEntry {
  id: string;
  name: string;
  contextWindow: number;
  backends: readonly Backend[];
  serviceTiers?: string[];
  efforts?: string[];
  supportsVerbosity?: boolean;
  supportsVision?: boolean;
}

/**
 * The list bundled with this release, used when the backend's list cannot be fetched and nothing is
 * cached (first start offline). It mirrors what the ChatGPT backend served when this release was made;
 * the live list replaces it as soon as it can be read.
 */
const BUNDLED: readonly BundledEntry[] = [
  {
    id: 'gpt-5.5',
    name: 'GPT-5.5',
    contextWindow: 400_000,
    backends: ['chatgpt'],
    serviceTiers: ['priority'],
  },
  {
    id: 'gpt-5.4',
    name: 'GPT-5.4',
    contextWindow: 272_000,
    backends: ['chatgpt', 'openai'],
    serviceTiers: ['priority'],
  },
  { id: 'gpt-5.4-mini', name: 'GPT-5.4 Mini', contextWindow: 272_000, backends: ['chatgpt', 'openai'] },
  { id: 'gpt-5.4-pro', name: 'GPT-5.4 Pro', contextWindow: 272_000, backends: ['openai'] },
  { id: 'gpt-5.3-codex', name: 'GPT-5.3 Codex', contextWindow: 400_000, backends: ['chatgpt', 'openai'] },
  { id: 'gpt-5.2-codex', name: 'GPT-5.2 Codex', contextWindow: 400_000, backends: ['chatgpt', 'openai'] },
  { id: 'gpt-5.2', name: 'GPT-5.2', contextWindow: 400_000, backends: ['chatgpt', 'openai'] },
  {
    id: 'gpt-5.1-codex-max',
    name: 'GPT-5.1 Codex Max',
    contextWindow: 400_000,
    backends: ['chatgpt', 'openai'],
  },
  { id: 'gpt-5.1-codex', name: 'GPT-5.1 Codex', contextWindow: 400_000, backends: ['chatgpt', 'openai'] },
  {
    id: 'gpt-5.1-codex-mini',
    name: 'GPT-5.1 Codex Mini',
    contextWindow: 400_000,
    backends: ['chatgpt', 'openai'],
  },
  { id: 'gpt-5.1', name: 'GPT-5.1', contextWindow: 400_000, backends: ['chatgpt', 'openai'] },
  { id: 'gpt-5-codex', name: 'GPT-5 Codex', contextWindow: 400_000, backends: ['chatgpt', 'openai'] },
  { id: 'gpt-5', name: 'GPT-5', contextWindow: 400_000, backends: ['chatgpt', 'openai'] },
  { id: 'gpt-5-mini', name: 'GPT-5 Mini', contextWindow: 264_000, backends: ['chatgpt', 'openai'] },
  {
    id: 'o3',
    name: 'O3',
    contextWindow: 200_000,
    backends: ['openai'],
    efforts: ['low', 'medium', 'high'],
    supportsVision: true,
  },
  {
    id: 'o4-mini',
    name: 'O4 Mini',
    contextWindow: 200_000,
    backends: ['openai'],
    efforts: ['low', 'medium', 'high'],
    supportsVision: true,
  },
];

function fromBundled(entry: BundledEntry, index: number, backend: Backend): ModelInfo {
  const model: ModelInfo = {
    id: entry.id,
    name: entry.name,
    description: '',
    contextWindow: entry.contextWindow,
    maxOutputTokens: entry.id.startsWith('o') ? 100_000 : DEFAULT_MAX_OUTPUT_TOKENS,
    supportsVision: entry.supportsVision ?? false,
    supportsTools: true,
    supportsStreaming: true,
    supportsReasoning: true,
    supportedReasoningEfforts: entry.efforts ?? ALL_EFFORTS,
    defaultReasoningEffort: 'medium',
    supportsReasoningSummaries: true,
    supportsVerbosity: entry.supportsVerbosity ?? entry.id.startsWith('gpt-5'),
    visibility: 'list',
    priority: index,
    inputCostPerMillion: 0,
    outputCostPerMillion: 0,
    backends: [backend],
  };
  if (entry.serviceTiers !== undefined) model.serviceTiers = entry.serviceTiers;
  return model;
}

/**
 * The bundled model list of a backend (see {@link ModelList}): what is used offline before the backend's
 * list was ever read.
 *
 * @param backend - `chatgpt` or `openai`
 */
export function bundledModelList(backend: Backend): ModelList {
  return {
    models: BUNDLED.filter((entry) => entry.backends.includes(backend)).map((entry, index) =>
      fromBundled(entry, index, backend),
    ),
    source: 'bundled',
  };
}

/**
 * What this release knows about a model id, whatever the backend: used to fill what a live list leaves
 * out (context window, output limit, vision).
 *
 * @param id - the model id
 */
export function bundledModelInfo(id: string): ModelInfo | undefined {
  const index = BUNDLED.findIndex((entry) => entry.id === id);
  const entry = BUNDLED[index];
  return entry === undefined ? undefined : fromBundled(entry, index, entry.backends[0] ?? 'chatgpt');
}

/**
 * The models to show: those whose visibility is `list`, in sort order (hidden ones are accepted in
 * requests but not listed).
 *
 * @param list - a backend's model list
 */
export function listedModels(list: ModelList): ModelInfo[] {
  return list.models.filter((model) => model.visibility === 'list');
}

/**
 * Finds a model by id in a list, hidden ones included.
 *
 * @param list - a backend's model list
 * @param id - the model id (not an alias)
 */
export function findModel(list: ModelList, id: string): ModelInfo | undefined {
  const wanted = id.toLowerCase();
  return list.models.find((model) => model.id.toLowerCase() === wanted);
}

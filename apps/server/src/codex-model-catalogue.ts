import type { DescribedGatewayModel } from './gateway-provider.js';

/** One entry of the Codex CLI's model catalogue (the ChatGPT backend's `/models` shape). */
export interface CodexCatalogueModel {
  slug: string;
  display_name: string;
  description: string | null;
  default_reasoning_level?: string;
  supported_reasoning_levels: { effort: string; description: string }[];
  shell_type: 'shell_command';
  visibility: 'list' | 'hide';
  supported_in_api: boolean;
  priority: number;
  upgrade: null;
  /**
   * The system prompt the Codex CLI sends with this model. Empty: the CLI sends none and the gateway's
   * provider uses its own default instructions (what happens without a catalogue too).
   */
  base_instructions: string;
  supports_reasoning_summaries: boolean;
  support_verbosity: boolean;
  default_verbosity: string | null;
  apply_patch_tool_type: null;
  truncation_policy: { mode: 'bytes'; limit: number };
  supports_parallel_tool_calls: boolean;
  context_window: number;
  experimental_supported_tools: string[];
  input_modalities: ('text' | 'image')[];
  service_tiers: { id: string; name: string; description: string }[];
}

/** The Codex CLI's model catalogue: `{models:[…]}`. */
export interface CodexModelCatalogue {
  models: CodexCatalogueModel[];
}

/** The reasoning efforts the Codex CLI knows; any other value would make it reject the whole list. */
const CODEX_REASONING_EFFORTS = new Set(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);

/** The verbosities the Codex CLI knows. */
const CODEX_VERBOSITIES = new Set(['low', 'medium', 'high']);

/** The priorities the Codex CLI reads (a 32-bit integer). */
const LARGEST_CODEX_PRIORITY = 2_147_483_647;
const SMALLEST_CODEX_PRIORITY = -2_147_483_648;

/** A priority the Codex CLI can read: a 32-bit integer; anything else (NaN) is the model's position. */
function codexPriority(priority: number | undefined, index: number): number {
  if (priority === undefined || Number.isNaN(priority)) return index;
  return Math.trunc(Math.min(Math.max(priority, SMALLEST_CODEX_PRIORITY), LARGEST_CODEX_PRIORITY));
}

/** A context window the Codex CLI can read: a positive whole token count, else the default. */
function codexContextWindow(contextWindow: number | undefined): number {
  return contextWindow !== undefined && Number.isSafeInteger(contextWindow) && contextWindow > 0
    ? contextWindow
    : UNDESCRIBED_CONTEXT_WINDOW;
}

/** The tool-output truncation the Codex CLI applies when the backend does not say otherwise. */
const DEFAULT_TRUNCATION_BYTES = 10_000;

/** Context window claimed for a model the provider did not describe. */
const UNDESCRIBED_CONTEXT_WINDOW = 272_000;

function toCodexCatalogueModel(model: DescribedGatewayModel, index: number): CodexCatalogueModel {
  const efforts = (model.supportedReasoningEfforts ?? []).filter((effort) =>
    CODEX_REASONING_EFFORTS.has(effort),
  );
  const entry: CodexCatalogueModel = {
    slug: model.id,
    display_name: model.name ?? model.id,
    description: model.description === undefined || model.description === '' ? null : model.description,
    supported_reasoning_levels: efforts.map((effort) => ({
      effort,
      description: `${effort} reasoning effort`,
    })),
    shell_type: 'shell_command',
    visibility: model.visibility === undefined || model.visibility === 'list' ? 'list' : 'hide',
    supported_in_api: true,
    priority: codexPriority(model.priority, index),
    upgrade: null,
    base_instructions: '',
    supports_reasoning_summaries: model.supportsReasoningSummaries ?? false,
    support_verbosity: model.supportsVerbosity ?? false,
    default_verbosity:
      model.defaultVerbosity !== undefined && CODEX_VERBOSITIES.has(model.defaultVerbosity)
        ? model.defaultVerbosity
        : null,
    apply_patch_tool_type: null,
    truncation_policy: { mode: 'bytes', limit: DEFAULT_TRUNCATION_BYTES },
    supports_parallel_tool_calls: model.supportsTools ?? true,
    context_window: codexContextWindow(model.contextWindow),
    experimental_supported_tools: [],
    input_modalities: model.supportsVision === true ? ['text', 'image'] : ['text'],
    service_tiers: (model.serviceTiers ?? []).map((tier) => ({ id: tier, name: tier, description: '' })),
  };
  if (
    model.defaultReasoningEffort !== undefined &&
    CODEX_REASONING_EFFORTS.has(model.defaultReasoningEffort)
  ) {
    entry.default_reasoning_level = model.defaultReasoningEffort;
  }
  return entry;
}

/**
 * Builds the model catalogue the Codex CLI reads through a custom provider's `model_catalog_url`
 * (`GET …/models?client_version=…`): the ChatGPT backend's `{models:[…]}` shape, hidden models included
 * (marked `hide`: usable, not offered in the picker). Values the CLI would not parse (an unknown effort or
 * verbosity) are left out rather than failing the whole list.
 *
 * @param models - the provider's models, in sort order
 */
export function toCodexModelCatalogue(models: readonly DescribedGatewayModel[]): CodexModelCatalogue {
  return { models: models.map(toCodexCatalogueModel) };
}

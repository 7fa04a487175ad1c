import type { EmulatorModel, EmulatorOptions } from '../types.js';

/** Plans that pay for ChatGPT (every model except the retired ones). */
const PAID_PLANS = ['plus', 'pro', 'team', 'business', 'enterprise', 'edu', 'prolite'];

const EFFORTS = ['low', 'medium', 'high', 'xhigh'].map((effort) => ({
  effort,
  description: `${effort} reasoning effort`,
}));

function model(
  slug: string,
  displayName: string,
  priority: number,
  extra: Partial<EmulatorModel> = {},
): EmulatorModel {
  return {
    slug,
    display_name: displayName,
    description: `${displayName} (emulated).`,
    default_reasoning_level: 'medium',
    supported_reasoning_levels: EFFORTS,
    visibility: 'list',
    supported_in_api: true,
    priority,
    context_window: 272_000,
    supports_reasoning_summaries: true,
    support_verbosity: true,
    default_verbosity: 'medium',
    supports_parallel_tool_calls: true,
    plans: PAID_PLANS,
    ...extra,
  };
}

/**
 * The ChatGPT backend's default model list: paid plans see every current model, the free plan fewer;
 * `codex-mini-latest` is hidden (`visibility: "hide"`: accepted, not listed); `o3` and `o4-mini` are
 * retired (refused like the real service); `gpt-5.5` needs client version 0.120.0 or newer.
 */
export const DEFAULT_MODEL_CATALOGUE: readonly EmulatorModel[] = [
  model('gpt-5.5', 'GPT-5.5', 1, {
    context_window: 400_000,
    service_tiers: ['priority', 'flex'],
    minimal_client_version: '0.120.0',
  }),
  model('gpt-5.4', 'GPT-5.4', 2, { service_tiers: ['priority', 'flex'] }),
  model('gpt-5.4-mini', 'GPT-5.4 Mini', 3, {
    plans: [...PAID_PLANS, 'free'],
    supported_reasoning_levels: EFFORTS.slice(0, 3),
  }),
  model('gpt-5.3-codex', 'GPT-5.3 Codex', 4, { context_window: 400_000 }),
  model('gpt-5.2-codex', 'GPT-5.2 Codex', 5, { context_window: 400_000 }),
  model('gpt-5.2', 'GPT-5.2', 6, { context_window: 400_000 }),
  model('gpt-5.1-codex-max', 'GPT-5.1 Codex Max', 7, { context_window: 400_000 }),
  model('gpt-5.1-codex', 'GPT-5.1 Codex', 8, { context_window: 400_000, support_verbosity: false }),
  model('gpt-5.1-codex-mini', 'GPT-5.1 Codex Mini', 9, {
    context_window: 400_000,
    plans: [...PAID_PLANS, 'free'],
    support_verbosity: false,
  }),
  model('gpt-5.1', 'GPT-5.1', 10, { context_window: 400_000 }),
  model('gpt-5-codex', 'GPT-5 Codex', 11, { context_window: 400_000, support_verbosity: false }),
  model('gpt-5', 'GPT-5', 12, { context_window: 400_000 }),
  model('gpt-5-mini', 'GPT-5 Mini', 13, { context_window: 264_000, plans: [...PAID_PLANS, 'free'] }),
  model('codex-mini-latest', 'Codex Mini', 14, { visibility: 'hide', support_verbosity: false }),
  model('o3', 'o3', 15, { retired: true, supported_reasoning_levels: EFFORTS.slice(0, 3) }),
  model('o4-mini', 'o4-mini', 16, { retired: true, supported_reasoning_levels: EFFORTS.slice(0, 3) }),
];

/**
 * The emulator's model list: `models`, else the default; `chatgptModels` (the older option: slugs only)
 * narrows it to those slugs, describing unknown ones with defaults.
 *
 * @param options - the emulator's options
 */
export function modelCatalogueOf(options: EmulatorOptions): readonly EmulatorModel[] {
  const catalogue = options.models ?? DEFAULT_MODEL_CATALOGUE;
  if (options.chatgptModels === undefined) return catalogue;
  return options.chatgptModels.map(
    (slug, index) => catalogue.find((entry) => entry.slug === slug) ?? model(slug, slug, 100 + index),
  );
}

/**
 * True when the ChatGPT backend serves a model to a plan: listed (hidden ones included), not retired,
 * and the plan is one of its `plans` (no `plans`: every plan).
 *
 * @param entry - the model
 * @param planType - the login's plan
 */
export function servesModel(entry: EmulatorModel, planType: string): boolean {
  return entry.retired !== true && (entry.plans === undefined || entry.plans.includes(planType));
}

/** Compares dotted versions numerically (`0.99.0` < `0.120.0`); missing parts count as 0. */
export function compareVersions(left: string, right: string): number {
  const parts = (version: string) => version.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  const a = parts(left);
  const b = parts(right);
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/**
 * The `/models` answer for a login and client: the models served to the plan whose
 * `minimal_client_version` is not newer than `clientVersion` (no version: only models without one),
 * without the emulator-only fields.
 *
 * @param catalogue - the emulator's list
 * @param planType - the login's plan
 * @param clientVersion - the `client_version` query parameter
 */
export function modelListFor(
  catalogue: readonly EmulatorModel[],
  planType: string,
  clientVersion: string | undefined,
): Record<string, unknown>[] {
  return catalogue
    .filter((entry) => servesModel(entry, planType))
    .filter(
      (entry) =>
        entry.minimal_client_version === undefined ||
        (clientVersion !== undefined && compareVersions(clientVersion, entry.minimal_client_version) >= 0),
    )
    .map(({ plans: _plans, retired: _retired, ...wire }) => wire);
}

import type { ReasoningEffort } from './completion-request.js';

/** A model name with its alias suffixes resolved. */
export interface ResolvedModel {
  /** The model id to send (`gpt-5.4` for `gpt-5.4-fast:high`). */
  model: string;
  /**
   * The reasoning effort to send: from the `:effort` suffix, else the default. Always `undefined`
   * for models that take no effort (anything not starting with gpt-5, o1, o3 or o4).
   */
  reasoningEffort?: ReasoningEffort;
  /** Same value as {@link ResolvedModel.reasoningEffort} (short name used in the contracts). */
  effort?: ReasoningEffort;
  /** `priority` for `-fast` aliases (the Codex app's "Fast mode"). */
  serviceTier?: 'priority';
  /** Whether the model accepts a reasoning effort at all. */
  supportsReasoningEffort: boolean;
}

/** Options of {@link resolveModelAlias}. */
export interface ResolveModelAliasOptions {
  /** Effort used when the name has no `:effort` suffix (e.g. from the environment). */
  defaultEffort?: ReasoningEffort | undefined;
}

/** Effort levels accepted as a `model:effort` suffix and in the environment. */
const SUFFIX_EFFORTS: ReadonlySet<string> = new Set(['none', 'low', 'medium', 'high', 'xhigh']);

const FAST_SUFFIX = '-fast';

/** Parses an effort level (`none`, `low`, `medium`, `high`, `xhigh`; case and spaces ignored). */
export function parseReasoningEffort(raw: string | undefined): ReasoningEffort | undefined {
  if (raw === undefined) return undefined;
  const normalized = raw.trim().toLowerCase();
  return SUFFIX_EFFORTS.has(normalized) ? (normalized as ReasoningEffort) : undefined;
}

/** Whether a model takes a reasoning effort: names starting with gpt-5, o1, o3 or o4. */
export function modelSupportsReasoningEffort(model: string): boolean {
  const normalized = model.toLowerCase();
  return ['gpt-5', 'o1', 'o3', 'o4'].some((prefix) => normalized.startsWith(prefix));
}

/**
 * Resolves CodeTether model aliases:
 * - `model:effort` (effort one of none, low, medium, high, xhigh) sets the reasoning effort; an
 *   unknown suffix (`gpt-5.5:turbo`, `gpt-5.5:minimal`) leaves the whole name untouched;
 * - `<gpt-5 model>-fast` (e.g. `gpt-5.4-fast`, `gpt-5.5-fast`) → the base model with
 *   `serviceTier: 'priority'`;
 * - the effort (suffix, else `defaultEffort`) is dropped for models without reasoning effort.
 *
 * @example resolveModelAlias('gpt-5.4-fast:high') // { model: 'gpt-5.4', reasoningEffort: 'high', serviceTier: 'priority', … }
 */
export function resolveModelAlias(model: string, options: ResolveModelAliasOptions = {}): ResolvedModel {
  let base = model;
  let effort: ReasoningEffort | undefined;
  const colon = model.lastIndexOf(':');
  if (colon > 0) {
    const candidate = parseReasoningEffort(model.slice(colon + 1));
    const name = model.slice(0, colon);
    if (candidate !== undefined && name.trim() !== '') {
      base = name;
      effort = candidate;
    }
  }
  let serviceTier: 'priority' | undefined;
  if (base.toLowerCase().endsWith(FAST_SUFFIX)) {
    const withoutFast = base.slice(0, -FAST_SUFFIX.length);
    if (withoutFast.toLowerCase().startsWith('gpt-5')) {
      base = withoutFast;
      serviceTier = 'priority';
    }
  }
  const supportsReasoningEffort = modelSupportsReasoningEffort(base);
  const resolvedEffort = supportsReasoningEffort ? (effort ?? options.defaultEffort) : undefined;
  const result: ResolvedModel = { model: base, supportsReasoningEffort };
  if (resolvedEffort !== undefined) {
    result.reasoningEffort = resolvedEffort;
    result.effort = resolvedEffort;
  }
  if (serviceTier !== undefined) result.serviceTier = serviceTier;
  return result;
}

/** Environment variables holding the default reasoning effort, first match wins. */
export const DEFAULT_EFFORT_ENVIRONMENT_VARIABLES = [
  'CODETETHER_OPENAI_CODEX_THINKING_LEVEL',
  'CODETETHER_OPENAI_CODEX_REASONING_EFFORT',
] as const;

/**
 * Reads the default reasoning effort from `CODETETHER_OPENAI_CODEX_THINKING_LEVEL`, else
 * `CODETETHER_OPENAI_CODEX_REASONING_EFFORT`. Pass the environment explicitly (e.g.
 * `process.env`); this package reads no globals. An invalid value is ignored (`undefined`).
 */
export function readDefaultEffortFromEnvironment(
  environment: Readonly<Record<string, string | undefined>>,
): ReasoningEffort | undefined {
  for (const name of DEFAULT_EFFORT_ENVIRONMENT_VARIABLES) {
    const value = environment[name];
    if (value !== undefined && value.trim() !== '') return parseReasoningEffort(value);
  }
  return undefined;
}

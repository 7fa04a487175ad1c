/** One rule of a {@link ModelMap}: requested names matching `pattern` go to `model`. */
export interface ModelMapRule {
  /** A model name pattern; `*` matches any run of characters, matching ignores case. */
  pattern: string;
  /** The Codex model (an alias such as `gpt-5.4:high` sets the reasoning effort too). */
  model: string;
}

/** Maps the model names other dialects' clients ask for (e.g. `claude-sonnet-4-5`) to Codex models. */
export interface ModelMap {
  /** The rules in the order they are tried: the user's first, then the defaults. */
  readonly rules: readonly ModelMapRule[];
  /** The Codex model for `requested`: the first matching rule's model, else `requested` unchanged. */
  resolve(requested: string): string;
}

/**
 * The default rules: Anthropic's model families to the Codex models of similar weight. Names that no
 * rule matches (e.g. `gpt-5.4`) are used as they are.
 */
export const DEFAULT_MODEL_MAP_RULES: readonly ModelMapRule[] = [
  { pattern: 'claude-*opus*', model: 'gpt-5.4:high' },
  { pattern: 'claude-*sonnet*', model: 'gpt-5.4' },
  { pattern: 'claude-*haiku*', model: 'gpt-5.4-mini' },
];

/** A model map setting that cannot be read (`--model-map`, `CODETETHER_GATEWAY_MODEL_MAP`). */
export class ModelMapError extends Error {
  /** Always `invalid_model_map`. */
  readonly code = 'invalid_model_map' as const;

  /** @param message - what is wrong with the setting and how to write it */
  constructor(message: string) {
    super(message);
    this.name = 'ModelMapError';
  }
}

/**
 * Reads a model map setting: comma-separated `pattern=model` pairs, e.g.
 * `claude-*opus*=gpt-5.4:xhigh,claude-3-*=gpt-5.4-mini`.
 *
 * @param text - the setting
 * @throws {ModelMapError} when a pair has no `=` or an empty side
 */
export function parseModelMapRules(text: string): ModelMapRule[] {
  return text
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .map((pair) => {
      const separator = pair.indexOf('=');
      const pattern = pair.slice(0, separator).trim();
      const model = pair.slice(separator + 1).trim();
      if (separator < 0 || pattern === '' || model === '') {
        throw new ModelMapError(
          `The model map entry '${pair}' is not 'pattern=model'. Write comma-separated pairs such as 'claude-*sonnet*=gpt-5.4,claude-*haiku*=gpt-5.4-mini'.`,
        );
      }
      return { pattern, model };
    });
}

function patternMatcher(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i');
}

/**
 * Creates the model map: `rules` (the user's) are tried first, then {@link DEFAULT_MODEL_MAP_RULES}.
 *
 * @param rules - the user's rules, e.g. from {@link parseModelMapRules}
 */
export function createModelMap(rules: readonly ModelMapRule[] = []): ModelMap {
  const all = [...rules, ...DEFAULT_MODEL_MAP_RULES];
  const matchers = all.map((rule) => ({ matcher: patternMatcher(rule.pattern), model: rule.model }));
  return {
    rules: all,
    resolve: (requested) => matchers.find(({ matcher }) => matcher.test(requested))?.model ?? requested,
  };
}

import type { LanguageModelV4CallOptions, SharedV4Warning } from '@ai-sdk/provider';
import type {
  CompletionRequest,
  ReasoningEffort,
  ResponseFormat,
  ToolDefinition,
} from '@codetether/responses-protocol';
import { convertPrompt } from './prompt-conversion.js';
import type { CodetetherCallProviderOptions } from './provider-options.js';

/** A call converted for provider-codex, with the warnings the SDK reports. */
export interface ConvertedCall {
  /** The request for `completeStream`. */
  request: CompletionRequest;
  /** Settings that were ignored or changed. */
  warnings: SharedV4Warning[];
}

/** Call settings the Codex backends do not take. */
const UNSUPPORTED_SETTINGS = [
  'topP',
  'topK',
  'presencePenalty',
  'frequencyPenalty',
  'seed',
  'stopSequences',
] as const;

/** The SDK's `reasoning` setting → a Responses effort (`provider-default` → none given, `max` → `xhigh`). */
function effortOf(reasoning: LanguageModelV4CallOptions['reasoning']): ReasoningEffort | undefined {
  if (reasoning === undefined || reasoning === 'provider-default') return undefined;
  return reasoning === 'max' ? 'xhigh' : reasoning;
}

/** The model id with the `-fast` alias (`service_tier: "priority"`) applied: `gpt-5.4:high` → `gpt-5.4-fast:high`. */
function withPriorityTier(modelId: string): string {
  const [base = modelId, ...effort] = modelId.split(':');
  if (base.endsWith('-fast')) return modelId;
  return [`${base}-fast`, ...effort].join(':');
}

/** The function tools of the call; provider tools are reported as unsupported. */
function convertTools(options: LanguageModelV4CallOptions, warnings: SharedV4Warning[]): ToolDefinition[] {
  const tools: ToolDefinition[] = [];
  for (const tool of options.tools ?? []) {
    if (tool.type !== 'function') {
      warnings.push({ type: 'unsupported', feature: `provider tool ${tool.id}` });
      continue;
    }
    tools.push({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: tool.inputSchema as Record<string, unknown>,
    });
  }
  return tools;
}

/** The SDK's tool choice → provider-codex's. */
function convertToolChoice(
  choice: LanguageModelV4CallOptions['toolChoice'],
): CompletionRequest['toolChoice'] {
  if (choice === undefined) return undefined;
  return choice.type === 'tool' ? { name: choice.toolName } : choice.type;
}

/** JSON output with a schema → `json_schema`, without one → `json_object`; text → none. */
function convertResponseFormat(
  format: LanguageModelV4CallOptions['responseFormat'],
  strict: boolean,
): ResponseFormat | undefined {
  if (format === undefined || format.type === 'text') return undefined;
  if (format.schema === undefined) return { type: 'json_object' };
  return {
    type: 'json_schema',
    name: (format.name ?? 'response').replace(/[^A-Za-z0-9_-]/g, '_'),
    schema: format.schema as Record<string, unknown>,
    ...(format.description === undefined ? {} : { description: format.description }),
    strict,
  };
}

/** What the model catalogue says about the model, as far as the provider options need it. */
export interface ModelSupport {
  /** Whether the model takes `text.verbosity`. */
  supportsVerbosity: boolean;
  /** The service tiers the model offers (`undefined`: none beyond the default). */
  serviceTiers?: string[] | undefined;
}

/** Whether converting these provider options needs the model's catalogue entry. */
export function needsModelSupport(options: CodetetherCallProviderOptions): boolean {
  return options.textVerbosity !== undefined || options.serviceTier === 'flex';
}

/** `textVerbosity` and `serviceTier: "flex"` where the model takes them, else warnings. */
function tierAndVerbosity(
  modelId: string,
  options: CodetetherCallProviderOptions,
  support: ModelSupport | undefined,
  warnings: SharedV4Warning[],
): Pick<CompletionRequest, 'serviceTier' | 'verbosity'> {
  const result: Pick<CompletionRequest, 'serviceTier' | 'verbosity'> = {};
  if (options.textVerbosity !== undefined) {
    if (support?.supportsVerbosity === false) {
      warnings.push({
        type: 'unsupported',
        feature: 'textVerbosity',
        details: `model ${modelId} does not support text.verbosity; not sent`,
      });
    } else result.verbosity = options.textVerbosity;
  }
  if (options.serviceTier === 'flex') {
    if (support !== undefined && support.serviceTiers?.includes('flex') !== true) {
      warnings.push({
        type: 'unsupported',
        feature: 'serviceTier "flex"',
        details: `model ${modelId} does not offer the flex tier; not sent`,
      });
    } else result.serviceTier = 'flex';
  }
  return result;
}

/**
 * Converts an SDK call to a provider-codex `CompletionRequest`: prompt, function tools, tool choice
 * (auto/none/required/named), structured output (`text.format`), effort (provider option, then the
 * SDK's `reasoning`, then the model alias), reasoning summary, verbosity and service tier (checked
 * against `modelSupport`, the model's catalogue entry, when given), output limit and temperature.
 */
export function convertCallOptions(
  modelId: string,
  options: LanguageModelV4CallOptions,
  providerOptions: CodetetherCallProviderOptions,
  modelSupport?: ModelSupport,
): ConvertedCall {
  const { messages, warnings } = convertPrompt(options.prompt);
  for (const setting of UNSUPPORTED_SETTINGS) {
    if (options[setting] !== undefined) warnings.push({ type: 'unsupported', feature: setting });
  }
  const headerNames = Object.entries(options.headers ?? {})
    .filter(([name, value]) => value !== undefined && name.toLowerCase() !== 'user-agent')
    .map(([name]) => name);
  if (headerNames.length > 0) {
    warnings.push({
      type: 'unsupported',
      feature: 'headers',
      details: `${headerNames.join(', ')} not sent: provider-codex builds the request headers itself`,
    });
  }
  const tools = convertTools(options, warnings);
  const toolChoice = convertToolChoice(options.toolChoice);
  const responseFormat = convertResponseFormat(
    options.responseFormat,
    providerOptions.strictJsonSchema ?? false,
  );
  const reasoningEffort = providerOptions.reasoningEffort ?? effortOf(options.reasoning);
  const request: CompletionRequest = {
    model: providerOptions.serviceTier === 'priority' ? withPriorityTier(modelId) : modelId,
    messages,
    ...(tools.length === 0 ? {} : { tools }),
    ...(toolChoice === undefined ? {} : { toolChoice }),
    ...(responseFormat === undefined ? {} : { responseFormat }),
    ...(reasoningEffort === undefined ? {} : { reasoningEffort }),
    ...(options.maxOutputTokens === undefined ? {} : { maxOutputTokens: options.maxOutputTokens }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(providerOptions.store === undefined ? {} : { store: providerOptions.store }),
    ...(providerOptions.reasoningSummary === undefined
      ? {}
      : { reasoningSummary: providerOptions.reasoningSummary }),
    ...tierAndVerbosity(modelId, providerOptions, modelSupport, warnings),
  };
  return { request, warnings };
}

import { ENVIRONMENT_VARIABLES } from '@codetether/provider-codex/configuration';
import { parseReasoningEffort } from '@codetether/responses-protocol';

/** One setting of the config file and of `-c key=value`. */
export interface SettingDefinition {
  /** What it sets, for `--help` and messages. */
  description: string;
  /** The environment variable that holds the same setting (the first one is the one written). */
  environmentVariables: readonly [string, ...string[]];
  /** Accepted values, for messages. */
  accepts: string;
  /** The normalised value, or `undefined` when `value` is not acceptable. */
  normalize(value: string): string | undefined;
}

const TRANSPORTS: Readonly<Record<string, string>> = {
  auto: 'auto',
  websocket: 'websocket',
  ws: 'websocket',
  http: 'http',
  sse: 'http',
};

function normalizeUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? value.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
}

const nonEmpty = (value: string): string | undefined => (value === '' ? undefined : value);

/** A setting holding an http(s) URL. */
function urlSetting(description: string, environmentVariable: string): SettingDefinition {
  return {
    description,
    environmentVariables: [environmentVariable],
    accepts: 'an http(s) URL',
    normalize: normalizeUrl,
  };
}

/**
 * The settings of `$CODETETHER_HOME/config.json` and `-c key=value`, by key. Each maps to the
 * environment variable that holds the same setting, so the precedence is one rule everywhere:
 * command-line flag (`-m`, `-t`, then `-c`) > environment variable > config file > default.
 */
export const SETTINGS: Readonly<Record<string, SettingDefinition>> = {
  model: {
    description: 'default model of chat and usage (default gpt-5.4)',
    environmentVariables: [ENVIRONMENT_VARIABLES.model],
    accepts: 'a model or alias such as gpt-5.4, gpt-5.4:high or gpt-5.5-fast',
    normalize: nonEmpty,
  },
  transport: {
    description: 'wire: auto (WebSocket first, HTTP fallback), websocket or http (default auto)',
    environmentVariables: [ENVIRONMENT_VARIABLES.transport],
    accepts: 'auto, websocket or http',
    normalize: (value) => TRANSPORTS[value.toLowerCase()],
  },
  reasoningEffort: {
    description: 'default reasoning effort when the model has no :effort suffix',
    environmentVariables: [
      'CODETETHER_OPENAI_CODEX_REASONING_EFFORT',
      'CODETETHER_OPENAI_CODEX_THINKING_LEVEL',
    ],
    accepts: 'none, low, medium, high or xhigh',
    normalize: (value) => parseReasoningEffort(value),
  },
  chatgptBaseUrl: urlSetting(
    'ChatGPT Codex backend (default https://chatgpt.com/backend-api/codex)',
    ENVIRONMENT_VARIABLES.chatgptBaseUrl,
  ),
  openaiBaseUrl: urlSetting(
    'OpenAI API base URL (default https://api.openai.com/v1)',
    ENVIRONMENT_VARIABLES.openaiBaseUrl,
  ),
  authIssuer: urlSetting(
    'OAuth issuer of the ChatGPT login (default https://auth.openai.com)',
    ENVIRONMENT_VARIABLES.authIssuer,
  ),
};

/** The setting keys, in the order they are documented. */
export const SETTING_KEYS: readonly string[] = Object.keys(SETTINGS);

import type { ModelCapabilities } from '@ai-sdk/provider';
import type { ModelInfo } from '@codetether/provider-codex';

/**
 * Model ids the Codex backends serve today; any other string is accepted too (aliases such as
 * `gpt-5.4:high`, new models). The live list is {@link CodetetherProvider.listModels}.
 */
export type CodetetherModelId =
  | 'gpt-5'
  | 'gpt-5-mini'
  | 'gpt-5.1-codex'
  | 'gpt-5.2'
  | 'gpt-5.3-codex'
  | 'gpt-5.4'
  | 'gpt-5.5'
  | 'gpt-5.5-fast'
  | 'o3'
  | 'o4-mini'
  | (string & {});

/** The reasoning efforts a reasoning model accepts. */
const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;

/** A model of the catalogue, with its capabilities in the AI SDK's vocabulary. */
export interface CodetetherModel {
  /** The id to pass to `codetether(id)`. */
  id: string;
  /** A human-readable name. */
  name: string;
  /** Context window in tokens. */
  contextWindow: number;
  /** Largest output in tokens. */
  maxOutputTokens: number;
  /** What the model can do (the SDK's `ModelCapabilities`). */
  capabilities: ModelCapabilities;
  /** The catalogue entry this was made from (provider-codex's `ModelInfo`). */
  info: ModelInfo;
}

/**
 * A provider-codex catalogue entry → a {@link CodetetherModel}. Only this function reads
 * `ModelInfo`, so a richer live catalogue changes this file alone.
 */
export function toCodetetherModel(info: ModelInfo): CodetetherModel {
  return {
    id: info.id,
    name: info.name,
    contextWindow: info.contextWindow,
    maxOutputTokens: info.maxOutputTokens,
    capabilities: {
      language: {
        inputs: { image: info.supportsVision, audio: false },
        objectGeneration: true,
        tools: { usage: info.supportsTools, streaming: info.supportsTools && info.supportsStreaming },
        reasoning: info.supportsReasoning
          ? { support: true, efforts: REASONING_EFFORTS }
          : { support: false },
        sampling: { temperature: !info.supportsReasoning, topP: false, logprobs: false },
      },
    },
    info,
  };
}

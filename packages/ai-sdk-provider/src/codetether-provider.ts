import { randomUUID } from 'node:crypto';
import { type LanguageModelV4, NoSuchModelError, type ProviderV4 } from '@ai-sdk/provider';
import {
  type CodexProvider,
  type CodexProviderOptions,
  createCodexProvider,
} from '@codetether/provider-codex';
import { resolveEndpoints } from '@codetether/provider-codex/configuration';
import { CodetetherLanguageModel } from './language-model.js';
import { type CodetetherModel, type CodetetherModelId, toCodetetherModel } from './model-catalogue.js';
import { SessionConversations } from './session-conversations.js';

/**
 * Options of {@link createCodetether}: every option of provider-codex's `createCodexProvider`
 * (auth, endpoints, transport, …), or a ready `codexProvider`.
 */
export interface CodetetherProviderSettings extends CodexProviderOptions {
  /** Use this provider-codex provider instead of creating one (it is then not closed by `close()`). */
  codexProvider?: CodexProvider;
  /** The provider name reported to the SDK (default `codetether`). */
  name?: string;
}

/** An AI SDK provider (`ProviderV4`) for Codex models. Call it with a model id, or use `languageModel`. */
export interface CodetetherProvider extends ProviderV4 {
  /** The language model `modelId` (e.g. `gpt-5.4`, `gpt-5.4:high`). */
  (modelId: CodetetherModelId): LanguageModelV4;
  /** The language model `modelId`. */
  languageModel(modelId: CodetetherModelId): LanguageModelV4;
  /** The live model catalogue of the active backend, with capabilities. */
  listModels(): Promise<CodetetherModel[]>;
  /** The provider-codex provider underneath (created on first use). */
  readonly codexProvider: CodexProvider;
  /** Closes the connections of the provider-codex provider it created. */
  close(): Promise<void>;
}

/**
 * Creates the provider. Nothing is read or opened until the first call: the ChatGPT login (or the API
 * key) is found then, as provider-codex finds it (`CODETETHER_HOME`, else `OPENAI_API_KEY`).
 */
export function createCodetether(settings: CodetetherProviderSettings = {}): CodetetherProvider {
  const { codexProvider: givenProvider, name, ...codexOptions } = settings;
  let created: CodexProvider | undefined;
  const codexProvider = (): CodexProvider => {
    if (givenProvider !== undefined) return givenProvider;
    created ??= createCodexProvider(codexOptions);
    return created;
  };
  let knownResponsesUrl: string | undefined;
  const responsesUrl = async (): Promise<string> => {
    if (knownResponsesUrl !== undefined) return knownResponsesUrl;
    const endpoints = resolveEndpoints(codexOptions, codexOptions.env ?? process.env);
    const auth = await codexProvider()
      .resolveAuth()
      .catch(() => undefined);
    const base = auth?.backend === 'openai' ? endpoints.openaiBaseUrl : endpoints.chatgptBaseUrl;
    if (auth !== undefined) knownResponsesUrl = `${base}/responses`;
    return `${base}/responses`;
  };
  const conversations = new SessionConversations(codexProvider);
  const context = {
    providerName: name ?? 'codetether',
    codexProvider,
    responsesUrl,
    createSessionId: randomUUID,
    conversations,
  };
  const languageModel = (modelId: CodetetherModelId): LanguageModelV4 => {
    if (new.target !== undefined) {
      throw new Error('The codetether provider is a function: call it without `new`.');
    }
    return new CodetetherLanguageModel(modelId, context);
  };
  const provider = Object.assign(languageModel, {
    specificationVersion: 'v4' as const,
    languageModel,
    embeddingModel(modelId: string): never {
      throw new NoSuchModelError({ modelId, modelType: 'embeddingModel' });
    },
    imageModel(modelId: string): never {
      throw new NoSuchModelError({ modelId, modelType: 'imageModel' });
    },
    async listModels(): Promise<CodetetherModel[]> {
      return (await codexProvider().listModels()).map(toCodetetherModel);
    },
    async close(): Promise<void> {
      await conversations.close();
      if (created !== undefined) await created.close();
      created = undefined;
      knownResponsesUrl = undefined;
    },
  });
  Object.defineProperty(provider, 'codexProvider', { get: codexProvider, enumerable: true });
  return provider as unknown as CodetetherProvider;
}

/**
 * The default provider: the ChatGPT login stored by `codetether auth login` (in `CODETETHER_HOME`),
 * else `OPENAI_API_KEY`; endpoints and transport from the environment.
 */
export const codetether: CodetetherProvider = createCodetether();

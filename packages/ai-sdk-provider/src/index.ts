export {
  type CodetetherProvider,
  type CodetetherProviderSettings,
  codetether,
  createCodetether,
} from './codetether-provider.js';
export type { CodetetherErrorData } from './error-conversion.js';
export { CodetetherLanguageModel } from './language-model.js';
export { type CodetetherModel, type CodetetherModelId, toCodetetherModel } from './model-catalogue.js';
export { type CodetetherCallProviderOptions, PROVIDER_OPTIONS_KEY } from './provider-options.js';

export { DEFAULT_ACCOUNT_ID } from './context.js';
export { EmulatorError, type EmulatorErrorCode } from './errors.js';
export { DEFAULT_MODEL_CATALOGUE } from './models/model-catalogue.js';
export { CODEX_CLIENT_ID, ISSUER_STATE_LIMITS } from './oauth/auth-state.js';
export { REDACTED } from './recording.js';
export { DEFAULT_CHATGPT_MODELS } from './responses/request-validation.js';
export { REASONING_SUMMARY, TEXT_ANSWER } from './responses/scenario-plan.js';
export { startEmulator } from './server.js';
export {
  type Emulator,
  type EmulatorAccountOptions,
  type EmulatorModel,
  type EmulatorOptions,
  type EmulatorRateLimitOptions,
  type IssuedTokens,
  type IssueTokensOptions,
  isScenarioName,
  type RecordedRequest,
  SCENARIO_NAMES,
  type ScenarioName,
} from './types.js';

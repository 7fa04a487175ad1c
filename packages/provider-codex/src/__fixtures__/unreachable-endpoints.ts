/**
 * Provider endpoints nothing listens on (port 9, discard) and no environment: for tests whose
 * transports are fakes, so any request that escaped them would fail at once instead of going out.
 */
export const UNREACHABLE_ENDPOINTS = {
  env: {},
  chatgptBaseUrl: 'http://127.0.0.1:9/backend-api/codex',
  openaiBaseUrl: 'http://127.0.0.1:9/v1',
};

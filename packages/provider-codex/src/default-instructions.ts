export { DEFAULT_INSTRUCTIONS } from '@codetether/responses-protocol';

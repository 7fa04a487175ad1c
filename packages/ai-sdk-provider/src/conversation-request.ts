import type { SharedV4Warning } from '@ai-sdk/provider';
import {
  buildResponsesInput,
  buildResponsesInstructions,
  type CompletionRequest,
  type ResponseItem,
} from '@codetether/responses-protocol';
import type { ConversationSettings } from './session-conversations.js';

/**
 * The conversation settings of a request: everything but its messages, and the system messages as
 * the instructions (none: the provider's default instructions).
 */
export function conversationSettingsOf(request: CompletionRequest): ConversationSettings {
  const { messages, ...settings } = request;
  const instructions = buildResponsesInstructions(messages, '');
  return instructions === '' ? settings : { ...settings, instructions };
}

/**
 * The request's messages as Responses input items (system messages are the instructions). A tool
 * result without its call is dropped, as `completeStream` drops it, and reported as a warning.
 */
export function conversationInputOf(request: CompletionRequest, warnings: SharedV4Warning[]): ResponseItem[] {
  return buildResponsesInput(request.messages, (message) => warnings.push({ type: 'other', message }));
}

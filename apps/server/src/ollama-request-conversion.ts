import type {
  ChatMessage,
  CompletionRequest,
  ResponseFormat,
  UserContentPart,
} from '@codetether/responses-protocol';
import type { ModelMap } from './dialect-model-map.js';
import { createPendingToolCalls } from './ollama-pending-tool-calls.js';
import type { OllamaChatRequest, OllamaGenerateRequest } from './ollama-request-schema.js';
import { GatewayError } from './openai-error.js';

type ChatRequestMessage = OllamaChatRequest['messages'][number];
type RequestSettings = Pick<OllamaChatRequest, 'model' | 'format' | 'options' | 'think'>;

const IMAGE_SIGNATURES: readonly [string, string][] = [
  ['iVBOR', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lG', 'image/gif'],
  ['UklG', 'image/webp'],
];

/** An Ollama image (bare base64) as a data URL, its type read from its first bytes. */
function imageUrl(base64: string): string {
  if (base64.startsWith('data:')) return base64;
  const mediaType = IMAGE_SIGNATURES.find(([prefix]) => base64.startsWith(prefix))?.[1] ?? 'image/png';
  return `data:${mediaType};base64,${base64}`;
}

function userMessage(text: string, images: readonly string[] | undefined): ChatMessage {
  if (images === undefined || images.length === 0) return { role: 'user', content: text };
  const parts: UserContentPart[] = images.map((image) => ({ type: 'image', url: imageUrl(image) }));
  if (text !== '') parts.unshift({ type: 'text', text });
  return { role: 'user', content: parts };
}

/**
 * The 400 for a `tool` message that answers no tool call: the upstream would refuse it in words
 * about OpenAI's fields (or it would be dropped), so the gateway names the Ollama message.
 */
function orphanToolMessageError(messageIndex: number, toolCallId: string | undefined): GatewayError {
  const param = `messages[${messageIndex}]`;
  const unknownId =
    toolCallId === undefined ? '' : ` (its tool_call_id ${JSON.stringify(toolCallId)} names no tool call)`;
  return new GatewayError(
    400,
    'invalid_request_error',
    `Invalid value for '${param}': this tool message answers no tool call${unknownId}: every tool call of the assistant message before it is already answered, or it made none. Keep each tool message after the assistant message whose tool_calls it answers, one per call.`,
    { param, code: 'invalid_value' },
  );
}

/**
 * Ollama's messages as chat messages. Ollama's tool calls carry no id unless the client kept the one
 * the gateway sent, so missing ids are made up per request. A `tool` message whose `tool_call_id`
 * names a call answers it; any other answers the earliest unanswered call of the latest assistant
 * message with the same `tool_name` (else the earliest unanswered call).
 *
 * @throws {GatewayError} 400 naming `messages[i]` for a tool message that answers no call
 */
function convertMessages(messages: readonly ChatRequestMessage[]): ChatMessage[] {
  let pending = createPendingToolCalls([]);
  // The ids of every call so far: a tool message naming one of them answers it.
  const callIds = new Set<string>();
  return messages.map((message, messageIndex): ChatMessage => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        return userMessage(message.content, message.images);
      case 'assistant': {
        const converted: Extract<ChatMessage, { role: 'assistant' }> = { role: 'assistant' };
        if (message.content !== '') converted.content = message.content;
        const calls = (message.tool_calls ?? []).map((call, callIndex) => ({
          id: call.id ?? `call_${messageIndex}_${callIndex}`,
          name: call.function.name,
          arguments:
            typeof call.function.arguments === 'string'
              ? call.function.arguments
              : JSON.stringify(call.function.arguments ?? {}),
        }));
        if (calls.length > 0) converted.toolCalls = calls;
        for (const call of calls) callIds.add(call.id);
        pending = createPendingToolCalls(calls);
        return converted;
      }
      default: {
        // role 'tool'
        const id = message.tool_call_id;
        if (id !== undefined && callIds.has(id)) {
          pending.takeById(id);
          return { role: 'tool', toolCallId: id, content: message.content };
        }
        // No id, or one the calls do not carry (a client that dropped them from its tool_calls).
        const answered = pending.takeByName(message.tool_name);
        if (answered === undefined) throw orphanToolMessageError(messageIndex, id);
        return { role: 'tool', toolCallId: answered.id, content: message.content };
      }
    }
  });
}

function responseFormatOf(format: RequestSettings['format']): ResponseFormat | undefined {
  if (format === undefined || format === '') return undefined;
  if (format === 'json') return { type: 'json_object' };
  return { type: 'json_schema', name: 'response', schema: format };
}

function withSettings(request: CompletionRequest, body: RequestSettings): CompletionRequest {
  const responseFormat = responseFormatOf(body.format);
  if (responseFormat !== undefined) request.responseFormat = responseFormat;
  if (typeof body.think === 'string') request.reasoningEffort = body.think;
  const temperature = body.options?.temperature;
  if (temperature !== undefined) request.temperature = temperature;
  const maxTokens = body.options?.num_predict;
  if (maxTokens !== undefined && maxTokens > 0) request.maxOutputTokens = maxTokens;
  return request;
}

/**
 * Converts a validated `POST /api/chat` body to the provider's {@link CompletionRequest}: the model
 * through the model map, images as image parts, `format` as structured output, `think` levels as the
 * reasoning effort, `options.temperature` and `options.num_predict` (the output limit, sent only to
 * backends that take it).
 *
 * @param body - the validated request body
 * @param modelMap - requested model names to Codex models
 * @throws {GatewayError} 400 naming `messages[i]` for a tool message that answers no tool call
 */
export function ollamaChatToCompletionRequest(
  body: OllamaChatRequest,
  modelMap: ModelMap,
): CompletionRequest {
  const request: CompletionRequest = {
    model: modelMap.resolve(body.model),
    messages: convertMessages(body.messages),
  };
  if (body.tools !== undefined && body.tools.length > 0) {
    request.tools = body.tools.map(({ function: tool }) => {
      const parameters = tool.parameters ?? { type: 'object', properties: {} };
      return tool.description === undefined
        ? { name: tool.name, parameters }
        : { name: tool.name, description: tool.description, parameters };
    });
  }
  return withSettings(request, body);
}

/**
 * Converts a validated `POST /api/generate` body: `system` and `prompt` (with its images) as one
 * exchange, otherwise as {@link ollamaChatToCompletionRequest}.
 *
 * @param body - the validated request body
 * @param modelMap - requested model names to Codex models
 * @throws {GatewayError} 400 `unsupported_parameter` for `suffix` (fill-in-the-middle)
 */
export function ollamaGenerateToCompletionRequest(
  body: OllamaGenerateRequest,
  modelMap: ModelMap,
): CompletionRequest {
  if (body.suffix !== undefined && body.suffix !== '') {
    throw new GatewayError(
      400,
      'invalid_request_error',
      'suffix (fill-in-the-middle) is not supported by the Codex models. Send the text before and after in the prompt instead.',
      { param: 'suffix', code: 'unsupported_parameter' },
    );
  }
  const messages: ChatMessage[] = [];
  if (body.system !== undefined && body.system.trim() !== '')
    messages.push({ role: 'system', content: body.system });
  messages.push(userMessage(body.prompt, body.images));
  return withSettings({ model: modelMap.resolve(body.model), messages }, body);
}

import type {
  ChatMessage,
  CompletionRequest,
  ResponseFormat,
  ToolDefinition,
  UserContentPart,
} from '@codetether/responses-protocol';
import type { ChatCompletionRequestBody } from './chat-completion-request-schema.js';
import { GatewayError } from './openai-error.js';

type RequestMessage = ChatCompletionRequestBody['messages'][number];

function joinText(content: string | readonly { type: string; text?: string; refusal?: string }[]): string {
  if (typeof content === 'string') return content;
  return content.map((part) => part.text ?? part.refusal ?? '').join('');
}

type RequestUserPart = Exclude<Extract<RequestMessage, { role: 'user' }>['content'], string>[number];

function convertUserPart(part: RequestUserPart): UserContentPart {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image_url':
      return { type: 'image', url: part.image_url.url };
    case 'file': {
      const { file_data: fileData, file_id: fileId, filename } = part.file;
      const converted: UserContentPart =
        fileData !== undefined ? { type: 'file', fileData } : { type: 'file', fileId: fileId as string };
      if (filename !== undefined) converted.filename = filename;
      return converted;
    }
    case 'input_audio':
      // Refused by `findUnsupportedChatParameter` before conversion.
      throw new Error('input_audio parts are refused before conversion');
  }
}

function convertMessage(message: RequestMessage): ChatMessage {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: message.role, content: joinText(message.content) };
    case 'user': {
      if (typeof message.content === 'string') return { role: 'user', content: message.content };
      return { role: 'user', content: message.content.map(convertUserPart) };
    }
    case 'assistant': {
      const converted: Extract<ChatMessage, { role: 'assistant' }> = { role: 'assistant' };
      if (message.content !== null && message.content !== undefined) {
        converted.content = joinText(message.content);
      }
      if (message.tool_calls !== null && message.tool_calls !== undefined && message.tool_calls.length > 0) {
        converted.toolCalls = message.tool_calls.map((call) =>
          call.type === 'custom'
            ? { id: call.id, type: 'custom', name: call.custom.name, arguments: call.custom.input }
            : { id: call.id, name: call.function.name, arguments: call.function.arguments },
        );
      }
      return converted;
    }
    case 'tool':
      return { role: 'tool', toolCallId: message.tool_call_id, content: joinText(message.content) };
  }
}

/**
 * The 400 for a `tool` message answering no `tool_calls` entry of an earlier assistant message, as
 * OpenAI refuses it (the provider would drop it upstream with only a warning).
 */
function orphanToolMessageError(messageIndex: number, toolCallId: string): GatewayError {
  const param = `messages[${messageIndex}].tool_call_id`;
  return new GatewayError(
    400,
    'invalid_request_error',
    `Invalid value for '${param}': ${JSON.stringify(toolCallId)} answers no tool_calls entry of an earlier assistant message. A message with role 'tool' must follow the assistant message whose tool_calls it answers; send that assistant message too (the whole conversation, as Chat Completions expects) or remove the tool message.`,
    { param, code: 'invalid_value' },
  );
}

/**
 * The messages as chat messages.
 *
 * @throws {GatewayError} 400 naming `messages[i].tool_call_id` for a tool message whose id names no
 *   tool call of an earlier assistant message
 */
function convertMessages(messages: readonly RequestMessage[]): ChatMessage[] {
  const callIds = new Set<string>();
  const converted: ChatMessage[] = [];
  for (const [messageIndex, message] of messages.entries()) {
    if (message.role === 'assistant') for (const call of message.tool_calls ?? []) callIds.add(call.id);
    else if (message.role === 'tool' && !callIds.has(message.tool_call_id))
      throw orphanToolMessageError(messageIndex, message.tool_call_id);
    converted.push(convertMessage(message));
  }
  return converted;
}

/**
 * Converts a validated chat completions body to the provider's {@link CompletionRequest}.
 * `max_completion_tokens` wins over the older `max_tokens`.
 *
 * @param body - the validated request body
 * @throws {GatewayError} 400 `invalid_value` naming `messages[i].tool_call_id` for a tool message that
 *   answers no `tool_calls` entry of an earlier assistant message
 */
export function toCompletionRequest(body: ChatCompletionRequestBody): CompletionRequest {
  const request: CompletionRequest = { model: body.model, messages: convertMessages(body.messages) };
  if (body.tools !== null && body.tools !== undefined && body.tools.length > 0) {
    request.tools = body.tools.map(toToolDefinition);
  }
  const choice = body.tool_choice;
  if (choice !== null && choice !== undefined) {
    request.toolChoice =
      typeof choice === 'string'
        ? choice
        : { name: choice.type === 'custom' ? choice.custom.name : choice.function.name };
  }
  if (typeof body.parallel_tool_calls === 'boolean') request.parallelToolCalls = body.parallel_tool_calls;
  if (body.reasoning_effort !== null && body.reasoning_effort !== undefined) {
    request.reasoningEffort = body.reasoning_effort;
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens !== null && maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  if (body.temperature !== null && body.temperature !== undefined) request.temperature = body.temperature;
  const responseFormat = toResponseFormat((body as Record<string, unknown>).response_format);
  if (responseFormat !== undefined) request.responseFormat = responseFormat;
  return request;
}

type RequestTool = NonNullable<ChatCompletionRequestBody['tools']>[number];

/** A function tool, or a custom tool (its chat `grammar` format flattened as the Responses API has it). */
function toToolDefinition(tool: RequestTool): ToolDefinition {
  if (tool.type === 'custom') {
    const { name, description, format } = tool.custom;
    const definition: ToolDefinition = { type: 'custom', name };
    if (description !== undefined) definition.description = description;
    if (format !== undefined) {
      definition.format =
        format.type === 'text'
          ? { type: 'text' }
          : { type: 'grammar', syntax: format.grammar.syntax, definition: format.grammar.definition };
    }
    return definition;
  }
  const definition: ToolDefinition = {
    name: tool.function.name,
    parameters: tool.function.parameters ?? { type: 'object', properties: {} },
  };
  if (tool.function.description !== undefined) definition.description = tool.function.description;
  return definition;
}

/**
 * Chat Completions `response_format` → the provider's structured-output option. The shape was
 * checked by `findUnsupportedChatParameter` before conversion.
 */
function toResponseFormat(format: unknown): ResponseFormat | undefined {
  if (typeof format !== 'object' || format === null) return undefined;
  const type = (format as { type?: unknown }).type;
  if (type === 'json_object') return { type: 'json_object' };
  if (type !== 'json_schema') return undefined;
  const jsonSchema = (format as { json_schema?: Record<string, unknown> }).json_schema ?? {};
  const result: ResponseFormat = {
    type: 'json_schema',
    name: String(jsonSchema.name),
    schema: jsonSchema.schema as Record<string, unknown>,
  };
  if (typeof jsonSchema.strict === 'boolean') result.strict = jsonSchema.strict;
  if (typeof jsonSchema.description === 'string') result.description = jsonSchema.description;
  return result;
}

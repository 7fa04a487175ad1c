import type {
  ChatMessage,
  CompletionRequest,
  ResponseFormat,
  ToolDefinition,
  UserContentPart,
} from '@codetether/responses-protocol';
import type { ChatCompletionRequestBody } from './chat-completion-request-schema.js';

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
        converted.toolCalls = message.tool_calls.map((call) => ({
          id: call.id,
          name: call.function.name,
          arguments: call.function.arguments,
        }));
      }
      return converted;
    }
    case 'tool':
      return { role: 'tool', toolCallId: message.tool_call_id, content: joinText(message.content) };
  }
}

/**
 * Converts a validated chat completions body to the provider's {@link CompletionRequest}.
 * `max_completion_tokens` wins over the older `max_tokens`.
 *
 * @param body - the validated request body
 */
export function toCompletionRequest(body: ChatCompletionRequestBody): CompletionRequest {
  const request: CompletionRequest = { model: body.model, messages: body.messages.map(convertMessage) };
  if (body.tools !== null && body.tools !== undefined && body.tools.length > 0) {
    request.tools = body.tools.map((tool) => {
      const definition: ToolDefinition = {
        name: tool.function.name,
        parameters: tool.function.parameters ?? { type: 'object', properties: {} },
      };
      if (tool.function.description !== undefined) definition.description = tool.function.description;
      return definition;
    });
  }
  const choice = body.tool_choice;
  if (choice !== null && choice !== undefined) {
    request.toolChoice = typeof choice === 'string' ? choice : { name: choice.function.name };
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

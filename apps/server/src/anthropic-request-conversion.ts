import type {
  ChatMessage,
  CompletionRequest,
  ReasoningEffort,
  ToolCall,
  UserContentPart,
} from '@codetether/responses-protocol';
import type {
  AnthropicContentBlock,
  AnthropicCountTokensRequest,
  AnthropicMessagesRequest,
} from './anthropic-messages-schema.js';
import type { ModelMap } from './dialect-model-map.js';
import { GatewayError } from './openai-error.js';

type ImageBlock = Extract<AnthropicContentBlock, { type: 'image' }>;
type RequestMessage = AnthropicMessagesRequest['messages'][number];

function imagePart(block: ImageBlock): UserContentPart {
  const source = block.source;
  return {
    type: 'image',
    url: source.type === 'url' ? source.url : `data:${source.media_type};base64,${source.data}`,
  };
}

type DocumentBlock = Extract<AnthropicContentBlock, { type: 'document' }>;

/** A document block: a PDF (base64 or URL) → a file part; plain text → a text part headed by its title. */
function documentPart(block: DocumentBlock): UserContentPart {
  const source = block.source;
  const title = block.title ?? undefined;
  if (source.type === 'text')
    return { type: 'text', text: title === undefined ? source.data : `${title}:\n\n${source.data}` };
  const part: UserContentPart =
    source.type === 'url'
      ? { type: 'file', fileUrl: source.url }
      : { type: 'file', fileData: `data:${source.media_type};base64,${source.data}` };
  if (title !== undefined) part.filename = title;
  return part;
}

function blocksOf(content: RequestMessage['content']): AnthropicContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

function textOf(blocks: readonly { type: string; text?: string }[]): string {
  return blocks.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join('');
}

function toolResultText(block: Extract<AnthropicContentBlock, { type: 'tool_result' }>): string {
  const content = block.content ?? '';
  const text = typeof content === 'string' ? content : textOf(content);
  return block.is_error === true ? `Error: ${text}` : text;
}

/**
 * The 400 for a `tool_result` answering no `tool_use` of an earlier assistant message: the upstream
 * would refuse it in words about OpenAI's fields (or it would be dropped), so the gateway names the
 * Anthropic field.
 */
function orphanToolResultError(messageIndex: number, blockIndex: number, toolUseId: string): GatewayError {
  return invalidValue(
    `messages[${messageIndex}].content[${blockIndex}].tool_use_id`,
    `Invalid value for 'messages[${messageIndex}].content[${blockIndex}].tool_use_id': ${JSON.stringify(toolUseId)} answers no tool_use block of an earlier assistant message. Each tool_result must follow the assistant message whose tool_use it answers; keep that message or remove the result.`,
  );
}

/**
 * A user turn, appended to `messages`: its tool results become tool messages (first, in order), the
 * rest one user message. Appended one by one: spreading a message of many blocks into `push` would
 * overflow the stack.
 *
 * @throws {GatewayError} 400 for a tool result whose id is not one of `toolUseIds`
 */
function appendUserMessage(
  blocks: readonly AnthropicContentBlock[],
  messageIndex: number,
  toolUseIds: ReadonlySet<string>,
  messages: ChatMessage[],
): void {
  const parts: UserContentPart[] = [];
  for (const [blockIndex, block] of blocks.entries()) {
    if (block.type === 'tool_result') {
      if (!toolUseIds.has(block.tool_use_id))
        throw orphanToolResultError(messageIndex, blockIndex, block.tool_use_id);
      messages.push({ role: 'tool', toolCallId: block.tool_use_id, content: toolResultText(block) });
    } else if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'image') parts.push(imagePart(block));
    else if (block.type === 'document') parts.push(documentPart(block));
  }
  if (parts.length > 0) {
    const onlyText = parts.every((part) => part.type === 'text');
    messages.push({ role: 'user', content: onlyText ? textOf(parts) : parts });
  }
}

function convertAssistantMessage(
  blocks: readonly AnthropicContentBlock[],
): Extract<ChatMessage, { role: 'assistant' }> {
  const message: Extract<ChatMessage, { role: 'assistant' }> = { role: 'assistant' };
  const text = textOf(blocks);
  if (text !== '') message.content = text;
  const toolCalls: ToolCall[] = blocks.flatMap((block) =>
    block.type === 'tool_use'
      ? [{ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) }]
      : [],
  );
  if (toolCalls.length > 0) message.toolCalls = toolCalls;
  return message;
}

/** Anthropic's thinking budget as a Codex reasoning effort. */
export function effortOfThinkingBudget(budgetTokens: number): ReasoningEffort {
  if (budgetTokens < 4_096) return 'low';
  if (budgetTokens < 16_384) return 'medium';
  return 'high';
}

function unsupported(param: string, message: string): GatewayError {
  return new GatewayError(400, 'invalid_request_error', message, { param, code: 'unsupported_parameter' });
}

function invalidValue(param: string, message: string): GatewayError {
  return new GatewayError(400, 'invalid_request_error', message, { param, code: 'invalid_value' });
}

/**
 * A `tool_choice` that requires a tool (`any`, `tool`) with no tools, or naming a tool not in `tools`,
 * as the 400 Anthropic answers (the upstream's own refusal would speak of OpenAI's fields).
 */
function toolChoiceError(body: AnthropicCountTokensRequest): GatewayError | undefined {
  const choice = body.tool_choice;
  if (choice === undefined || choice.type === 'auto' || choice.type === 'none') return undefined;
  const tools = body.tools ?? [];
  if (tools.length === 0) {
    return invalidValue(
      'tool_choice',
      `Invalid value for 'tool_choice': '${choice.type}' requires a tool, but no 'tools' are specified. Add 'tools' or remove 'tool_choice'.`,
    );
  }
  if (choice.type === 'tool' && !tools.some((tool) => tool.name === choice.name)) {
    return invalidValue(
      'tool_choice.name',
      `Invalid value for 'tool_choice.name': no tool named ${JSON.stringify(choice.name)} is in 'tools'. Name one of the declared tools.`,
    );
  }
  return undefined;
}

/**
 * Converts a validated Anthropic Messages body to the provider's {@link CompletionRequest}: `system`
 * becomes the instructions, `tool_use` blocks tool calls, `tool_result` blocks tool messages, images
 * image parts, `tool_choice` `any` → `required`, an enabled `thinking` budget a reasoning effort, and
 * `output_config.effort` (`max` → `xhigh`) the reasoning effort, `output_config.format` structured
 * output, and the model goes through the model map. `max_tokens` becomes `maxOutputTokens` (the provider sends it
 * only to backends that take it). Earlier `thinking` blocks are dropped.
 *
 * @param body - the validated request body
 * @param modelMap - requested model names to Codex models
 * @throws {GatewayError} 400 `unsupported_parameter` for `stop_sequences`; 400 `invalid_value` for a
 * `tool_choice` that requires a tool without (that) tool in `tools`, and for a `tool_result` whose
 * `tool_use_id` names no `tool_use` block of an earlier assistant message
 */
export function anthropicToCompletionRequest(
  body: AnthropicCountTokensRequest & { max_tokens?: number | undefined },
  modelMap: ModelMap,
): CompletionRequest {
  if (body.stop_sequences !== undefined && body.stop_sequences.length > 0) {
    throw unsupported(
      'stop_sequences',
      'stop_sequences is not supported by the Codex backend. Remove it and stop on the text yourself.',
    );
  }
  const choiceError = toolChoiceError(body);
  if (choiceError !== undefined) throw choiceError;
  const messages: ChatMessage[] = [];
  const system =
    body.system === undefined ? '' : typeof body.system === 'string' ? body.system : textOf(body.system);
  if (system.trim() !== '') messages.push({ role: 'system', content: system });
  // The ids of the tool_use blocks so far: a tool_result must answer one of them.
  const toolUseIds = new Set<string>();
  for (const [messageIndex, message] of body.messages.entries()) {
    const blocks = blocksOf(message.content);
    if (message.role === 'user') appendUserMessage(blocks, messageIndex, toolUseIds, messages);
    else {
      const converted = convertAssistantMessage(blocks);
      for (const call of converted.toolCalls ?? []) toolUseIds.add(call.id);
      messages.push(converted);
    }
  }
  const request: CompletionRequest = { model: modelMap.resolve(body.model), messages };
  if (body.tools !== undefined && body.tools.length > 0) {
    request.tools = body.tools.map((tool) =>
      tool.description === undefined
        ? { name: tool.name, parameters: tool.input_schema }
        : { name: tool.name, description: tool.description, parameters: tool.input_schema },
    );
  }
  const choice = body.tool_choice;
  if (choice !== undefined) {
    if (choice.type === 'tool') request.toolChoice = { name: choice.name };
    else request.toolChoice = choice.type === 'any' ? 'required' : choice.type;
  }
  const budget = body.thinking?.budget_tokens;
  if (body.thinking?.type === 'enabled' && budget !== undefined)
    request.reasoningEffort = effortOfThinkingBudget(budget);
  const effort = body.output_config?.effort;
  if (effort !== undefined && effort !== null) request.reasoningEffort = effort === 'max' ? 'xhigh' : effort;
  const format = body.output_config?.format;
  if (format !== undefined && format !== null)
    request.responseFormat = { type: 'json_schema', name: 'response', schema: format.schema };
  if (body.max_tokens !== undefined) request.maxOutputTokens = body.max_tokens;
  if (body.temperature !== undefined) request.temperature = body.temperature;
  return request;
}

import type {
  Backend,
  ChatMessage,
  CompletionRequest,
  FileContentPart,
  ReasoningEffort,
  ResponseFormat,
  ToolDefinition,
} from './completion-request.js';
import { ResponsesProtocolError } from './errors.js';
import { resolveModelAlias } from './model-alias.js';
import {
  correctedCallIds,
  customToolCallIdsOf,
  serverCallIdFor,
  toInputItem,
  toolCallIdsOf,
} from './response-items.js';

/** Instructions sent when the conversation has no system or developer message. */
export const DEFAULT_INSTRUCTIONS =
  'You are CodeTether Agent running on OpenAI Codex. Resolve software tasks directly: inspect the workspace, make focused changes, validate with available tools, and report concise results. When model availability or external APIs are involved, verify live behavior before treating it as supported.';

/** Options of {@link buildResponsesRequestBody}. */
export interface BuildRequestBodyOptions {
  /** `chatgpt` (no `max_output_tokens`) or `openai` (sends `max_output_tokens` and `temperature`). */
  backend: Backend;
  /** Conversation id: sent as `prompt_cache_key` so consecutive turns hit the prompt cache. */
  sessionId?: string | undefined;
  /** Effort used when neither the request nor the model alias sets one (see `readDefaultEffortFromEnvironment`). */
  defaultEffort?: ReasoningEffort | undefined;
  /** Instructions used when there is no system/developer message (default {@link DEFAULT_INSTRUCTIONS}). */
  defaultInstructions?: string | undefined;
  /** Told about things dropped from the request (e.g. a tool result whose call is not in the conversation). */
  onWarning?: ((message: string) => void) | undefined;
}

/** A Responses request body: a plain JSON object. */
export type ResponsesRequestBody = Record<string, unknown>;

function toolToResponses(tool: ToolDefinition): Record<string, unknown> {
  if (tool.type === 'custom') {
    const custom: Record<string, unknown> = { type: 'custom', name: tool.name };
    if (tool.description !== undefined) custom.description = tool.description;
    if (tool.format !== undefined) custom.format = tool.format;
    return custom;
  }
  const converted: Record<string, unknown> = { type: 'function', name: tool.name };
  if (tool.description !== undefined) converted.description = tool.description;
  converted.strict = false;
  converted.parameters = tool.parameters;
  return converted;
}

/**
 * The request's `instructions`: the system and developer messages joined by blank lines (empty ones
 * skipped), or `fallback` when there are none.
 */
export function buildResponsesInstructions(messages: readonly ChatMessage[], fallback: string): string {
  const parts: string[] = [];
  for (const message of messages) {
    if ((message.role === 'system' || message.role === 'developer') && message.content.trim() !== '') {
      parts.push(message.content);
    }
  }
  return parts.length > 0 ? parts.join('\n\n') : fallback;
}

function userContent(content: ChatMessage & { role: 'user' }): Record<string, unknown>[] {
  if (typeof content.content === 'string') {
    return content.content === '' ? [] : [{ type: 'input_text', text: content.content }];
  }
  const parts: Record<string, unknown>[] = [];
  for (const part of content.content) {
    if (part.type === 'text') {
      if (part.text !== '') parts.push({ type: 'input_text', text: part.text });
    } else if (part.type === 'image') {
      parts.push({ type: 'input_image', image_url: part.url });
    } else {
      parts.push(inputFile(part));
    }
  }
  return parts;
}

/** A file part → the Responses `input_file` content part. */
function inputFile(part: FileContentPart): Record<string, unknown> {
  const file: Record<string, unknown> = { type: 'input_file' };
  if ('fileData' in part) file.file_data = part.fileData;
  else if ('fileUrl' in part) file.file_url = part.fileUrl;
  else file.file_id = part.fileId;
  if (part.filename !== undefined) file.filename = part.filename;
  return file;
}

/**
 * Converts messages to Responses `input` items. System and developer messages go to
 * `instructions` instead. An assistant message with `outputItems` becomes those items without their
 * ids (reasoning included); one without becomes a message and `function_call` items rebuilt from its
 * `content` and `toolCalls`. A tool result is kept only when its `toolCallId` matches a tool call of
 * an earlier assistant message (or one of `earlierCallIds`, the calls of a history the messages
 * continue); an orphaned result is dropped and reported through `onWarning` (the Responses API
 * rejects a `function_call_output` without its `function_call`). A result answering the id a
 * call's chunks showed goes out under the id the server gave the call's finished item when the two
 * differ: as paired by {@link correctedCallIds} from an assistant message's `toolCalls` and
 * `outputItems`, or as `earlierCorrections` say. A result answering a custom tool call (an assistant
 * message's `toolCalls` entry of type `custom`, a `custom_tool_call` of its `outputItems`, or one of
 * `earlierCustomCallIds`) goes out as `custom_tool_call_output`; a custom call as `custom_tool_call`.
 */
export function buildResponsesInput(
  messages: readonly ChatMessage[],
  onWarning?: (message: string) => void,
  earlierCallIds: Iterable<string> = [],
  earlierCorrections: ReadonlyMap<string, string> = new Map(),
  earlierCustomCallIds: Iterable<string> = [],
): Record<string, unknown>[] {
  const input: Record<string, unknown>[] = [];
  const knownCallIds = new Set<string>(earlierCallIds);
  /** The call ids of custom tool calls: their results go back as `custom_tool_call_output`. */
  const customCallIds = new Set<string>(earlierCustomCallIds);
  const corrections = new Map(earlierCorrections);
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        break;
      case 'user': {
        const content = userContent(message);
        if (content.length > 0) input.push({ type: 'message', role: 'user', content });
        break;
      }
      case 'assistant': {
        if (message.outputItems !== undefined && message.outputItems.length > 0) {
          for (const id of toolCallIdsOf(message.outputItems)) knownCallIds.add(id);
          for (const id of customToolCallIdsOf(message.outputItems)) customCallIds.add(id);
          for (const [shownId, serverId] of correctedCallIds(message.toolCalls ?? [], message.outputItems))
            corrections.set(shownId, serverId);
          for (const item of message.outputItems) input.push(toInputItem(item));
          break;
        }
        if (message.content !== undefined && message.content !== '') {
          input.push({
            type: 'message',
            role: 'assistant',
            content: [{ type: 'output_text', text: message.content }],
          });
        }
        for (const call of message.toolCalls ?? []) {
          knownCallIds.add(call.id);
          if (call.type === 'custom') {
            customCallIds.add(call.id);
            input.push({
              type: 'custom_tool_call',
              call_id: call.id,
              name: call.name,
              input: call.arguments,
            });
          } else {
            input.push({
              type: 'function_call',
              call_id: call.id,
              name: call.name,
              arguments: call.arguments,
            });
          }
        }
        break;
      }
      case 'tool': {
        const callId = serverCallIdFor(message.toolCallId, knownCallIds, corrections);
        if (knownCallIds.has(callId)) {
          input.push({
            type: customCallIds.has(callId) ? 'custom_tool_call_output' : 'function_call_output',
            call_id: callId,
            output: message.content,
          });
        } else {
          onWarning?.(
            `Dropped the result of tool call "${message.toolCallId}": no earlier assistant message made that call, and the Responses API rejects such results. Keep each tool result after the assistant message that called it.`,
          );
        }
        break;
      }
    }
  }
  return input;
}

/** The Responses `text.format` for a structured-output request, or undefined for plain text. */
function responseFormatToResponses(format: ResponseFormat | undefined): Record<string, unknown> | undefined {
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  const result: Record<string, unknown> = { type: 'json_schema', name: format.name, schema: format.schema };
  if (format.description !== undefined) result.description = format.description;
  if (format.strict !== undefined) result.strict = format.strict;
  return result;
}

/**
 * Builds the HTTP body of a Responses request (`stream: true`). For the WebSocket transport send
 * `{ type: 'response.create', ...body }` without `stream`.
 *
 * - `model` is resolved from aliases (`:effort`, `-fast` → `service_tier: "priority"`);
 *   `request.serviceTier` wins over the alias's tier;
 * - `instructions` joins system and developer messages (else `defaultInstructions`);
 * - `reasoning: {effort?, summary}` (summary: `request.reasoningSummary`, default `auto`) and `include: ["reasoning.encrypted_content"]` only for
 *   reasoning models; effort precedence: `request.reasoningEffort`, alias suffix, `defaultEffort`;
 * - `store: false` (`true` on the `openai` backend when `request.store` asks for it),
 *   `parallel_tool_calls` (`request.parallelToolCalls`, default true), `tool_choice` (default `auto`),
 *   `tools`, `prompt_cache_key` = `sessionId`;
 * - an assistant message's `outputItems` go back verbatim, without their ids;
 * - `max_output_tokens` and `temperature` (non-reasoning models only) only for the `openai` backend;
 * - `text: {format?, verbosity?}`: structured output (`json_object` or `json_schema`) and
 *   `request.verbosity`, on both backends.
 *
 * @throws ResponsesProtocolError `invalid-request` when the model name is empty.
 */
export function buildResponsesRequestBody(
  request: CompletionRequest,
  options: BuildRequestBodyOptions,
): ResponsesRequestBody {
  if (typeof request.model !== 'string' || request.model.trim() === '') {
    throw new ResponsesProtocolError(
      'invalid-request',
      'The request has no model. Set `model`, e.g. "gpt-5.4".',
    );
  }
  const resolved = resolveModelAlias(request.model, { defaultEffort: options.defaultEffort });
  const body: ResponsesRequestBody = {
    model: resolved.model,
    instructions: buildResponsesInstructions(
      request.messages,
      options.defaultInstructions ?? DEFAULT_INSTRUCTIONS,
    ),
    input: buildResponsesInput(request.messages, options.onWarning),
    stream: true,
    store: options.backend === 'openai' && request.store === true,
  };
  const tools = request.tools ?? [];
  if (tools.length > 0) body.tools = tools.map(toolToResponses);
  const choice = request.toolChoice ?? 'auto';
  if (typeof choice === 'string') body.tool_choice = choice;
  else {
    const custom = tools.some((tool) => tool.type === 'custom' && tool.name === choice.name);
    body.tool_choice = { type: custom ? 'custom' : 'function', name: choice.name };
  }
  body.parallel_tool_calls = request.parallelToolCalls ?? true;
  if (resolved.supportsReasoningEffort) {
    const effort = request.reasoningEffort ?? resolved.reasoningEffort;
    const summary = request.reasoningSummary ?? 'auto';
    body.reasoning = effort === undefined ? { summary } : { effort, summary };
    body.include = ['reasoning.encrypted_content'];
  }
  const serviceTier = request.serviceTier ?? resolved.serviceTier;
  if (serviceTier !== undefined) body.service_tier = serviceTier;
  if (options.sessionId !== undefined && options.sessionId !== '') body.prompt_cache_key = options.sessionId;
  const format = responseFormatToResponses(request.responseFormat);
  if (format !== undefined || request.verbosity !== undefined) {
    body.text = {
      ...(format === undefined ? {} : { format }),
      ...(request.verbosity === undefined ? {} : { verbosity: request.verbosity }),
    };
  }
  if (options.backend === 'openai') {
    if (request.maxOutputTokens !== undefined) body.max_output_tokens = request.maxOutputTokens;
    if (request.temperature !== undefined && !resolved.supportsReasoningEffort)
      body.temperature = request.temperature;
  }
  return body;
}

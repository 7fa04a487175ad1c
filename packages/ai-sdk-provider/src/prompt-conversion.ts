import {
  type LanguageModelV4FilePart,
  type LanguageModelV4Message,
  type LanguageModelV4Prompt,
  type LanguageModelV4ToolResultOutput,
  type SharedV4Warning,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import { convertUint8ArrayToBase64 } from '@ai-sdk/provider-utils';
import type { ChatMessage, ResponseItem, UserContentPart } from '@codetether/responses-protocol';
import { PROVIDER_OPTIONS_KEY } from './provider-options.js';

/** The prompt as provider-codex messages, and what could not be carried. */
export interface ConvertedPrompt {
  /** The messages of the `CompletionRequest`. */
  messages: ChatMessage[];
  /** Parts that were dropped or changed. */
  warnings: SharedV4Warning[];
}

/**
 * The reasoning items (with `encrypted_content`) a reasoning part carries in
 * `providerOptions.codetether.reasoningItems` — what this provider put in the part's
 * `providerMetadata` when the model produced it.
 */
export function reasoningItemsOf(providerOptions: Record<string, unknown> | undefined): ResponseItem[] {
  const entry = providerOptions?.[PROVIDER_OPTIONS_KEY];
  if (typeof entry !== 'object' || entry === null) return [];
  const items = (entry as { reasoningItems?: unknown }).reasoningItems;
  if (!Array.isArray(items)) return [];
  return items.filter((item): item is ResponseItem => typeof item === 'object' && item !== null);
}

/**
 * A file part of a user message: an image → an image part; inline text → text; a document (a PDF or
 * any other type that is not audio or video) → a file part (bytes inline as a `data:` URL with its
 * filename — `document.pdf` when it has none —, a URL as is, an OpenAI Files API id by its `openai`
 * reference).
 */
function userFilePart(part: LanguageModelV4FilePart): UserContentPart {
  if (part.data.type === 'text') return { type: 'text', text: part.data.text };
  if (part.mediaType.startsWith('image')) return imagePart(part);
  if (part.mediaType.startsWith('audio') || part.mediaType.startsWith('video')) {
    throw new UnsupportedFunctionalityError({
      functionality: `file parts of media type ${part.mediaType} (images, documents such as PDFs and inline text are supported)`,
    });
  }
  return documentPart(part);
}

/** The bytes of inline file data as base64. */
function base64Of(data: Uint8Array | string): string {
  return typeof data === 'string' ? data : convertUint8ArrayToBase64(data);
}

function imagePart(part: LanguageModelV4FilePart): UserContentPart {
  const mediaType =
    part.mediaType.includes('/') && !part.mediaType.endsWith('/*') ? part.mediaType : 'image/png';
  switch (part.data.type) {
    case 'url':
      return { type: 'image', url: part.data.originalUrl ?? part.data.url.toString() };
    case 'data':
      return { type: 'image', url: `data:${mediaType};base64,${base64Of(part.data.data)}` };
    default:
      throw new UnsupportedFunctionalityError({
        functionality: 'image references (send the image inline or by URL)',
      });
  }
}

function documentPart(part: LanguageModelV4FilePart): UserContentPart {
  const mediaType = part.mediaType.includes('/') ? part.mediaType : 'application/pdf';
  switch (part.data.type) {
    case 'url':
      return { type: 'file', fileUrl: part.data.originalUrl ?? part.data.url.toString() };
    case 'data':
      return {
        type: 'file',
        fileData: `data:${mediaType};base64,${base64Of(part.data.data)}`,
        filename: part.filename ?? (mediaType === 'application/pdf' ? 'document.pdf' : 'document'),
      };
    case 'reference': {
      const fileId = part.data.reference.openai;
      if (fileId === undefined) {
        throw new UnsupportedFunctionalityError({
          functionality: 'file references other than OpenAI Files API ids (send the file inline or by URL)',
        });
      }
      return { type: 'file', fileId };
    }
    default:
      throw new UnsupportedFunctionalityError({ functionality: `file data of type ${part.data.type}` });
  }
}

/** A tool result's output → the text sent as `function_call_output`. */
function toolOutputText(output: LanguageModelV4ToolResultOutput, warnings: SharedV4Warning[]): string {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return output.value;
    case 'json':
    case 'error-json':
      return JSON.stringify(output.value);
    case 'execution-denied':
      return `Tool execution denied${output.reason === undefined ? '.' : `: ${output.reason}`}`;
    case 'content': {
      const texts: string[] = [];
      for (const part of output.value) {
        if (part.type === 'text') texts.push(part.text);
        else
          warnings.push({
            type: 'unsupported',
            feature: `tool result ${part.type} parts`,
            details: 'dropped',
          });
      }
      return texts.join('\n');
    }
  }
}

/**
 * An assistant message. When a reasoning part carries reasoning items, the message becomes
 * `outputItems` (the reasoning items, then the text as a message item, then the tool calls) so the
 * reasoning goes back to the model verbatim; otherwise `content` and `toolCalls`.
 */
function assistantMessage(message: LanguageModelV4Message & { role: 'assistant' }): ChatMessage {
  const reasoningItems: ResponseItem[] = [];
  const texts: string[] = [];
  const toolCalls: { id: string; name: string; arguments: string }[] = [];
  for (const part of message.content) {
    if (part.type === 'text') texts.push(part.text);
    else if (part.type === 'reasoning') reasoningItems.push(...reasoningItemsOf(part.providerOptions));
    else if (part.type === 'tool-call' && part.providerExecuted !== true) {
      const input = typeof part.input === 'string' ? part.input : JSON.stringify(part.input ?? {});
      toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: input });
    }
  }
  const content = texts.join('');
  if (reasoningItems.length === 0) {
    return {
      role: 'assistant',
      ...(content === '' ? {} : { content }),
      ...(toolCalls.length === 0 ? {} : { toolCalls }),
    };
  }
  const outputItems: ResponseItem[] = [...reasoningItems];
  if (content !== '') {
    outputItems.push({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: content }],
    });
  }
  for (const call of toolCalls) {
    outputItems.push({ type: 'function_call', call_id: call.id, name: call.name, arguments: call.arguments });
  }
  return { role: 'assistant', content, toolCalls, outputItems };
}

/**
 * Converts the SDK's prompt to provider-codex messages: system → system, user text and images →
 * user parts, assistant text/tool calls/reasoning items → assistant, tool results → one `tool`
 * message each. Tool approval responses and provider-executed tool results are not sent.
 *
 * @throws UnsupportedFunctionalityError for files that are neither images nor inline text.
 */
export function convertPrompt(prompt: LanguageModelV4Prompt): ConvertedPrompt {
  const messages: ChatMessage[] = [];
  const warnings: SharedV4Warning[] = [];
  for (const message of prompt) {
    switch (message.role) {
      case 'system':
        messages.push({ role: 'system', content: message.content });
        break;
      case 'user':
        messages.push({
          role: 'user',
          content: message.content.map((part) =>
            part.type === 'text' ? { type: 'text' as const, text: part.text } : userFilePart(part),
          ),
        });
        break;
      case 'assistant':
        messages.push(assistantMessage(message));
        break;
      case 'tool':
        for (const part of message.content) {
          if (part.type !== 'tool-result') continue;
          messages.push({
            role: 'tool',
            toolCallId: part.toolCallId,
            content: toolOutputText(part.output, warnings),
          });
        }
        break;
    }
  }
  return { messages, warnings };
}

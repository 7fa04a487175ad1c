import type {
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
  SharedV4ProviderMetadata,
  SharedV4Warning,
} from '@ai-sdk/provider';
import { toLanguageModelUsage } from './usage-conversion.js';

/** A stream's parts collected into a `doGenerate` result. */
export interface CollectedContent {
  /** Text, reasoning and tool calls in output order (one part per block). */
  content: LanguageModelV4Content[];
  /** Why the response ended. */
  finishReason: LanguageModelV4FinishReason;
  /** Token usage. */
  usage: LanguageModelV4Usage;
  /** The finish part's provider metadata. */
  providerMetadata: SharedV4ProviderMetadata | undefined;
  /** The response id, when known. */
  responseId: string | undefined;
  /** The `stream-start` warnings. */
  warnings: SharedV4Warning[];
}

/**
 * Reads a stream of parts to its end and collects the content: each text or reasoning block becomes
 * one part (with the metadata of its end), tool calls stay as they are.
 *
 * @throws the error of the first `error` part (an `APICallError`).
 */
export async function collectContent(
  stream: ReadableStream<LanguageModelV4StreamPart>,
): Promise<CollectedContent> {
  const content: LanguageModelV4Content[] = [];
  const blocks = new Map<string, { type: 'text' | 'reasoning'; text: string; index: number }>();
  const collected: CollectedContent = {
    content,
    finishReason: { unified: 'other', raw: undefined },
    usage: toLanguageModelUsage(undefined),
    providerMetadata: undefined,
    responseId: undefined,
    warnings: [],
  };
  for await (const part of stream) {
    switch (part.type) {
      case 'stream-start':
        collected.warnings = part.warnings;
        break;
      case 'text-start':
      case 'reasoning-start': {
        const type = part.type === 'text-start' ? 'text' : 'reasoning';
        blocks.set(part.id, { type, text: '', index: content.length });
        content.push({ type, text: '' });
        break;
      }
      case 'text-delta':
      case 'reasoning-delta': {
        const block = blocks.get(part.id);
        if (block === undefined) break;
        block.text += part.delta;
        content[block.index] = { type: block.type, text: block.text };
        break;
      }
      case 'text-end':
      case 'reasoning-end': {
        const block = blocks.get(part.id);
        if (block === undefined) break;
        content[block.index] = {
          type: block.type,
          text: block.text,
          ...(part.providerMetadata === undefined ? {} : { providerMetadata: part.providerMetadata }),
        };
        break;
      }
      case 'tool-call':
        content.push(part);
        break;
      case 'response-metadata':
        collected.responseId = part.id;
        break;
      case 'finish':
        collected.finishReason = part.finishReason;
        collected.usage = part.usage;
        collected.providerMetadata = part.providerMetadata;
        break;
      case 'error':
        throw part.error;
      default:
        break;
    }
  }
  return collected;
}

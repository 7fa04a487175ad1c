import type { JSONObject, LanguageModelV4StreamPart, SharedV4Warning } from '@ai-sdk/provider';
import type { DoneChunk, ResponseItem, StreamChunk } from '@codetether/responses-protocol';
import { type ErrorContext, streamErrorToSdkError } from './error-conversion.js';
import { PROVIDER_OPTIONS_KEY } from './provider-options.js';
import { toLanguageModelFinishReason, toLanguageModelUsage } from './usage-conversion.js';

/** What the stream conversion needs besides the chunks. */
export interface StreamConversionContext extends ErrorContext {
  /** The `stream-start` warnings. */
  warnings: SharedV4Warning[];
  /** The model id, for `response-metadata`. */
  modelId: string;
  /** Emit every chunk as a `raw` part too. */
  includeRawChunks: boolean;
}

/** The `providerMetadata` of the finish part: the response id and its output items. */
function finishMetadata(done: DoneChunk): Record<string, JSONObject> {
  const metadata: JSONObject = {};
  if (done.responseId !== undefined) metadata.responseId = done.responseId;
  if (done.outputItems !== undefined) metadata.outputItems = done.outputItems as JSONObject[];
  return { [PROVIDER_OPTIONS_KEY]: metadata };
}

/** The `providerMetadata` of a reasoning part that carries the response's reasoning items. */
function reasoningMetadata(items: ResponseItem[]): Record<string, JSONObject> {
  return { [PROVIDER_OPTIONS_KEY]: { reasoningItems: items as JSONObject[] } };
}

/**
 * Translates provider-codex chunks to the SDK's stream parts, one chunk at a time.
 *
 * Text and reasoning become start/delta/end blocks (a block ends when other output starts); tool
 * calls become `tool-input-start/delta/end` then a `tool-call`. Reasoning items are known only when
 * the response is done: they go on the `reasoning-end` of a reasoning block still open then, or else
 * on an empty reasoning part of their own, as `providerMetadata.codetether.reasoningItems` — which the
 * SDK hands back on the next step's assistant message, so the model keeps its reasoning. The finish
 * part carries `providerMetadata.codetether.{responseId, outputItems}`.
 */
export function createStreamConverter(context: StreamConversionContext): {
  /** The parts for one chunk. */
  convert(chunk: StreamChunk): LanguageModelV4StreamPart[];
  /** The parts that end a stream that stopped without a `done` (`error` after an error part, else `interrupted`). */
  end(): LanguageModelV4StreamPart[];
  /** Whether a finish part was produced. */
  isFinished(): boolean;
} {
  let nextId = 0;
  let openText: string | undefined;
  let openReasoning: string | undefined;
  let finished = false;
  let failed = false;
  const toolCalls = new Map<string, { name: string; input: string }>();

  const closeBlocks = (keep?: 'text' | 'reasoning'): LanguageModelV4StreamPart[] => {
    const parts: LanguageModelV4StreamPart[] = [];
    if (keep !== 'text' && openText !== undefined) parts.push({ type: 'text-end', id: openText });
    if (keep !== 'text') openText = undefined;
    if (keep !== 'reasoning' && openReasoning !== undefined)
      parts.push({ type: 'reasoning-end', id: openReasoning });
    if (keep !== 'reasoning') openReasoning = undefined;
    return parts;
  };

  const finish = (done: DoneChunk): LanguageModelV4StreamPart[] => {
    const parts: LanguageModelV4StreamPart[] = [];
    if (openText !== undefined) parts.push({ type: 'text-end', id: openText });
    openText = undefined;
    const reasoningItems = (done.outputItems ?? []).filter((item) => item.type === 'reasoning');
    if (reasoningItems.length > 0) {
      const id = openReasoning ?? String(nextId++);
      if (openReasoning === undefined) parts.push({ type: 'reasoning-start', id });
      parts.push({ type: 'reasoning-end', id, providerMetadata: reasoningMetadata(reasoningItems) });
    } else if (openReasoning !== undefined) {
      parts.push({ type: 'reasoning-end', id: openReasoning });
    }
    openReasoning = undefined;
    parts.push({
      type: 'response-metadata',
      ...(done.responseId === undefined ? {} : { id: done.responseId }),
      modelId: context.modelId,
    });
    parts.push({
      type: 'finish',
      usage: toLanguageModelUsage(done.usage),
      finishReason: toLanguageModelFinishReason(done.finishReason),
      providerMetadata: finishMetadata(done),
    });
    finished = true;
    return parts;
  };

  const convertChunk = (chunk: StreamChunk): LanguageModelV4StreamPart[] => {
    switch (chunk.type) {
      case 'text': {
        const parts = closeBlocks('text');
        if (openText === undefined) {
          openText = String(nextId++);
          parts.push({ type: 'text-start', id: openText });
        }
        parts.push({ type: 'text-delta', id: openText, delta: chunk.text });
        return parts;
      }
      case 'thinking': {
        const parts = closeBlocks('reasoning');
        if (openReasoning === undefined) {
          openReasoning = String(nextId++);
          parts.push({ type: 'reasoning-start', id: openReasoning });
        }
        parts.push({ type: 'reasoning-delta', id: openReasoning, delta: chunk.text });
        return parts;
      }
      case 'tool-call-start':
        toolCalls.set(chunk.id, { name: chunk.name, input: '' });
        return [...closeBlocks(), { type: 'tool-input-start', id: chunk.id, toolName: chunk.name }];
      case 'tool-call-delta': {
        const call = toolCalls.get(chunk.id);
        if (call !== undefined) call.input += chunk.argumentsDelta;
        return [{ type: 'tool-input-delta', id: chunk.id, delta: chunk.argumentsDelta }];
      }
      case 'tool-call-end': {
        const call = toolCalls.get(chunk.id);
        const input = call === undefined || call.input.trim() === '' ? '{}' : call.input;
        return [
          { type: 'tool-input-end', id: chunk.id },
          { type: 'tool-call', toolCallId: chunk.id, toolName: call?.name ?? '', input },
        ];
      }
      case 'done':
        return finish(chunk);
      case 'error':
        if (chunk.code === 'aborted') return [];
        if (chunk.code === 'malformed-json' || chunk.code === 'invalid-event') return [];
        failed = true;
        return [...closeBlocks(), { type: 'error', error: streamErrorToSdkError(chunk, context) }];
    }
  };

  return {
    convert(chunk) {
      const parts = convertChunk(chunk);
      return context.includeRawChunks ? [{ type: 'raw', rawValue: chunk }, ...parts] : parts;
    },
    end() {
      if (finished) return [];
      finished = true;
      return [
        ...closeBlocks(),
        {
          type: 'finish',
          usage: toLanguageModelUsage(undefined),
          finishReason: { unified: failed ? 'error' : 'interrupted', raw: undefined },
        },
      ];
    },
    isFinished: () => finished,
  };
}

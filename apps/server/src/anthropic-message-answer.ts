import { randomUUID } from 'node:crypto';
import type { FinishReason, StreamChunk, Usage } from '@codetether/responses-protocol';
import { toAnthropicErrorBody } from './anthropic-error.js';
import type { DialectAnswer } from './dialect-completion.js';
import { formatSseFrame } from './frame-stream.js';
import type { GatewayError } from './openai-error.js';

/** A content block of an Anthropic response. */
export type AnthropicResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

/** Anthropic's `usage` object. */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/** Why an Anthropic message ended. */
export type AnthropicStopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'refusal';

const STOP_REASONS: Readonly<Record<FinishReason, AnthropicStopReason>> = {
  stop: 'end_turn',
  'tool-calls': 'tool_use',
  length: 'max_tokens',
  'content-filter': 'refusal',
};

/** Options of {@link createAnthropicMessageAnswer}. */
export interface AnthropicMessageAnswerOptions {
  /** The model name the client asked for (echoed back, as clients expect). */
  model: string;
  /** Whether reasoning goes out as `thinking` blocks (the request enabled `thinking`). */
  includeThinking: boolean;
}

interface OpenBlock {
  index: number;
  block: AnthropicResponseBlock;
  /** The argument JSON of a `tool_use` block as it streams. */
  json: string;
}

function usageOf(usage: Usage | undefined): AnthropicUsage {
  return {
    input_tokens: usage?.promptTokens ?? 0,
    output_tokens: usage?.completionTokens ?? 0,
    cache_read_input_tokens: usage?.cacheReadTokens ?? 0,
    cache_creation_input_tokens: 0,
  };
}

function parseInput(json: string): unknown {
  if (json.trim() === '') return {};
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}

/**
 * Builds an Anthropic Messages answer from the provider's chunks: the stream as Anthropic's events
 * (`message_start`, `ping`, `content_block_start` / `_delta` (`text_delta`, `thinking_delta`,
 * `input_json_delta`) / `_stop`, `message_delta` with `stop_reason` and usage, `message_stop`), and
 * the same content as one `message` object for a request that is not streamed.
 *
 * @param options - the requested model name and whether thinking is shown
 */
export function createAnthropicMessageAnswer(options: AnthropicMessageAnswerOptions): DialectAnswer {
  const id = `msg_${randomUUID().replaceAll('-', '')}`;
  const blocks: OpenBlock[] = [];
  let open: OpenBlock | undefined;
  let started = false;
  let stopReason: AnthropicStopReason | null = null;
  let usage = usageOf(undefined);

  const event = (type: string, data: Record<string, unknown>): string =>
    formatSseFrame({ type, ...data }, type);
  const close = (): string => {
    if (open === undefined) return '';
    const index = open.index;
    if (open.block.type === 'tool_use') open.block.input = parseInput(open.json);
    open = undefined;
    return event('content_block_stop', { index });
  };
  const start = (block: AnthropicResponseBlock): string => {
    const text = close();
    open = { index: blocks.length, block, json: '' };
    blocks.push(open);
    const announced = block.type === 'tool_use' ? { ...block, input: {} } : block;
    return text + event('content_block_start', { index: open.index, content_block: announced });
  };
  const message = (content: AnthropicResponseBlock[]): Record<string, unknown> => ({
    id,
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage,
  });

  return {
    add(chunk: StreamChunk): string {
      let text = '';
      if (!started) {
        started = true;
        text += event('message_start', { message: message([]) }) + event('ping', {});
      }
      switch (chunk.type) {
        case 'text':
          if (open?.block.type !== 'text') text += start({ type: 'text', text: '' });
          if (open?.block.type === 'text') open.block.text += chunk.text;
          return `${text}${event('content_block_delta', { index: open?.index, delta: { type: 'text_delta', text: chunk.text } })}`;
        case 'thinking':
          if (!options.includeThinking) return text;
          if (open?.block.type !== 'thinking')
            text += start({ type: 'thinking', thinking: '', signature: '' });
          if (open?.block.type === 'thinking') open.block.thinking += chunk.text;
          return `${text}${event('content_block_delta', { index: open?.index, delta: { type: 'thinking_delta', thinking: chunk.text } })}`;
        case 'tool-call-start':
          return text + start({ type: 'tool_use', id: chunk.id, name: chunk.name, input: {} });
        case 'tool-call-delta': {
          const call = blocks.find(({ block }) => block.type === 'tool_use' && block.id === chunk.id);
          if (call === undefined) return text;
          call.json += chunk.argumentsDelta;
          return `${text}${event('content_block_delta', { index: call.index, delta: { type: 'input_json_delta', partial_json: chunk.argumentsDelta } })}`;
        }
        case 'tool-call-end':
          return open?.block.type === 'tool_use' && open.block.id === chunk.id ? text + close() : text;
        case 'done':
          text += close();
          stopReason = STOP_REASONS[chunk.finishReason];
          usage = usageOf(chunk.usage);
          return (
            text +
            event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage }) +
            event('message_stop', {})
          );
        case 'error':
          return text;
      }
    },
    result: () => {
      for (const entry of blocks)
        if (entry.block.type === 'tool_use') entry.block.input = parseInput(entry.json);
      return message(blocks.map(({ block }) => block));
    },
    errorFrame: (error: GatewayError) => formatSseFrame(toAnthropicErrorBody(error), 'error'),
  };
}

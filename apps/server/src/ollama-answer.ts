import type { StreamChunk, Usage } from '@codetether/responses-protocol';
import type { DialectAnswer } from './dialect-completion.js';
import { toOllamaErrorBody } from './ollama-error.js';
import type { GatewayError } from './openai-error.js';

/** Response headers of an Ollama NDJSON stream. */
export const NDJSON_HEADERS: Readonly<Record<string, string>> = {
  'transfer-encoding': 'chunked',
  'content-type': 'application/x-ndjson',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** A tool call as Ollama sends it (`id` is the upstream call id, to send back as `tool_call_id`). */
export interface OllamaToolCall {
  id: string;
  function: { index: number; name: string; arguments: unknown };
}

/** Options of {@link createOllamaAnswer}. */
export interface OllamaAnswerOptions {
  /** `chat` (`message` objects) or `generate` (`response` text). */
  endpoint: 'chat' | 'generate';
  /** The model name the client asked for (echoed back). */
  model: string;
  /** Whether reasoning goes out as `thinking` (the request set `think`). */
  includeThinking: boolean;
  /** Wall clock, epoch ms (`created_at`). */
  now: () => number;
  /** Nanoseconds since the request arrived (`total_duration`). */
  elapsedNanoseconds: () => number;
}

function parseArguments(json: string): unknown {
  try {
    return json.trim() === '' ? {} : JSON.parse(json);
  } catch {
    return json;
  }
}

/**
 * Builds an Ollama answer of `/api/chat` or `/api/generate` from the provider's chunks: one NDJSON
 * line per piece of text or thinking, one per finished tool call, then the `done: true` line with
 * `done_reason` and the token counts; or, not streamed, all of it in one object.
 *
 * @param options - the endpoint, requested model and clocks
 */
export function createOllamaAnswer(options: OllamaAnswerOptions): DialectAnswer {
  let text = '';
  let thinking = '';
  const calls: (OllamaToolCall & { json: string })[] = [];
  let usage: Usage | undefined;
  let doneReason = 'stop';

  const piece = (content: string, extra: { thinking?: string; tool_calls?: OllamaToolCall[] }) => {
    const base = { model: options.model, created_at: new Date(options.now()).toISOString() };
    if (options.endpoint === 'generate')
      return {
        ...base,
        response: content,
        ...(extra.thinking === undefined ? {} : { thinking: extra.thinking }),
      };
    return { ...base, message: { role: 'assistant', content, ...extra } };
  };
  const line = (value: unknown): string => `${JSON.stringify(value)}\n`;
  const final = (content: string, extra: { thinking?: string; tool_calls?: OllamaToolCall[] }) => ({
    ...piece(content, extra),
    done: true,
    done_reason: doneReason,
    total_duration: Math.round(options.elapsedNanoseconds()),
    load_duration: 0,
    prompt_eval_count: (usage?.promptTokens ?? 0) + (usage?.cacheReadTokens ?? 0),
    prompt_eval_duration: 0,
    eval_count: usage?.completionTokens ?? 0,
    eval_duration: 0,
  });
  const toolCallOf = ({ json, ...call }: OllamaToolCall & { json: string }): OllamaToolCall => ({
    ...call,
    function: { ...call.function, arguments: parseArguments(json) },
  });

  return {
    add(chunk: StreamChunk): string {
      switch (chunk.type) {
        case 'text':
          text += chunk.text;
          return line({ ...piece(chunk.text, {}), done: false });
        case 'thinking':
          if (!options.includeThinking) return '';
          thinking += chunk.text;
          return line({ ...piece('', { thinking: chunk.text }), done: false });
        case 'tool-call-start':
          calls.push({
            id: chunk.id,
            function: { index: calls.length, name: chunk.name, arguments: {} },
            json: '',
          });
          return '';
        case 'tool-call-delta': {
          const call = calls.find((candidate) => candidate.id === chunk.id);
          if (call !== undefined) call.json += chunk.argumentsDelta;
          return '';
        }
        case 'tool-call-end': {
          const call = calls.find((candidate) => candidate.id === chunk.id);
          if (call === undefined || options.endpoint === 'generate') return '';
          return line({ ...piece('', { tool_calls: [toolCallOf(call)] }), done: false });
        }
        case 'done':
          usage = chunk.usage;
          doneReason = chunk.finishReason === 'length' ? 'length' : 'stop';
          return line(final('', {}));
        case 'error':
          return '';
      }
    },
    result() {
      const extra: { thinking?: string; tool_calls?: OllamaToolCall[] } = {};
      if (options.includeThinking && thinking !== '') extra.thinking = thinking;
      if (calls.length > 0 && options.endpoint === 'chat') extra.tool_calls = calls.map(toolCallOf);
      return final(text, extra);
    },
    errorFrame: (error: GatewayError) => line(toOllamaErrorBody(error)),
  };
}

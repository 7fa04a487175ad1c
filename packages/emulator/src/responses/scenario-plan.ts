import type { EmulatorContext } from '../context.js';
import { configuredEventDelayMs } from '../option-aliases.js';
import type { ScenarioName } from '../types.js';
import { compactionItem } from './compaction.js';
import { apiError, usageLimitBody } from './error-bodies.js';
import { normalizeInputItems } from './input-items.js';
import { answerInFormat, jsonObjectText } from './output-format.js';
import type { RequestAnalysis } from './request-analysis.js';
import { SCENARIO_MARKER } from './request-analysis.js';
import {
  compactionEvents,
  customToolCallEvents,
  functionCallEvents,
  messageEvents,
  ResponseBuilder,
  type ResponsesEvent,
  reasoningEvents,
  splitText,
  splitWords,
} from './response-events.js';
import { argumentsForSchema, customToolInput } from './tool-arguments.js';
import type { OfferedTool } from './tool-choice.js';

/** What to do with a Responses request. */
export type ScenarioOutcome =
  | { kind: 'reject'; status: number; body: unknown; headers: Record<string, string> }
  | {
      kind: 'stream';
      builder: ResponseBuilder;
      events: Iterable<ResponsesEvent>;
      /**
       * Cut the stream after this many events: `terminate` drops the connection (HTTP socket destroyed,
       * WebSocket terminated so the client sees 1006); `close-1011` closes a WebSocket with 1011.
       */
      cut?: { afterEvents: number; how: 'terminate' | 'close-1011' };
      /** Pause between events, as planned. */
      delayMs: number;
      /**
       * The pause between events now (the option changed since the plan: `setOptions`), and where its
       * changes are told; a stream planned without a pause keeps none.
       */
      pacing?: StreamPacing;
    };

/** A paced stream's current pause between events, and the target dispatching `change` when it may have changed. */
export interface StreamPacing {
  delayMs(): number;
  changed: EventTarget;
}

/** Scenarios whose response never completes: not kept for a later `previous_response_id`. */
export const UNFINISHED_SCENARIOS: ReadonlySet<ScenarioName> = new Set<ScenarioName>([
  'failed',
  'incomplete',
  'error-nested',
]);

/** The answer of scenario `text`. */
export const TEXT_ANSWER =
  'Hello from the CodeTether emulator. This is a scripted answer with usage numbers.';

/** The reasoning summary of scenario `reasoning`. */
export const REASONING_SUMMARY = '**Planning the answer**\n\nThe user wants a short reply; answer directly.';

const SLOW_DEFAULT_DELAY_MS = 20;
const LARGE_DEFAULT_BYTES = 4 * 1024 * 1024;
const LARGE_DELTA_BYTES = 8 * 1024;
/** Scenario `disconnect` drops the connection after this many events (in the middle of the text). */
const DISCONNECT_AFTER_EVENTS = 7;

/**
 * Plans the answer to a Responses request for a scenario.
 *
 * @param context - emulator state
 * @param scenario - the chosen scenario
 * @param body - the request body
 * @param analysis - what was read from it
 * @param transport - `http` or `websocket` (close scenarios only close WebSockets)
 * @param scenarioKey - key for `server-error-then-success` (session id or prompt cache key)
 */
export function planScenario(
  context: EmulatorContext,
  scenario: ScenarioName,
  body: Record<string, unknown>,
  analysis: RequestAnalysis,
  transport: 'http' | 'websocket',
  scenarioKey: string,
): ScenarioOutcome {
  const options = context.options();
  const builder = new ResponseBuilder(body, analysis, context.now(), context.contentSealer);
  const defaultDelayMs = scenario === 'slow' ? SLOW_DEFAULT_DELAY_MS : 0;
  const delayMs = configuredEventDelayMs(options) ?? defaultDelayMs;
  const pacing: StreamPacing = {
    delayMs: () => configuredEventDelayMs(context.options()) ?? defaultDelayMs,
    changed: context.optionsChanged,
  };
  const stream = (
    content: Iterable<ResponsesEvent>,
    cut?: { afterEvents: number; how: 'terminate' | 'close-1011' },
    terminal: () => ResponsesEvent = () => ({
      type: 'response.completed',
      response: builder.response('completed'),
    }),
  ): ScenarioOutcome => ({
    kind: 'stream',
    builder,
    events: withLifecycle(builder, content, terminal),
    delayMs,
    pacing,
    ...(cut === undefined ? {} : { cut }),
  });

  const answer = (plainText: string, jsonAnswer?: string) =>
    answerEvents(builder, analysis, plainText, jsonAnswer);

  switch (scenario) {
    case 'unauthorized':
      return {
        kind: 'reject',
        status: 401,
        body: apiError(
          'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
          'invalid_request_error',
          'invalid_api_key',
        ),
        headers: {},
      };
    case 'rate-limited': {
      const resetsIn = context.rateLimits.primaryResetAfterSeconds();
      const resetsAt = Math.floor(context.now() / 1000) + resetsIn;
      return {
        kind: 'reject',
        status: 429,
        body: usageLimitBody(context.rateLimits.planType(), resetsAt, resetsIn),
        headers: { ...context.rateLimits.exhaustedHeaders(), 'retry-after': String(resetsIn) },
      };
    }
    case 'server-error-then-success': {
      const failures = Math.max(0, Math.floor(options.serverErrorCount ?? 1));
      const count = (context.serverErrorCounters.get(scenarioKey) ?? 0) + 1;
      context.serverErrorCounters.set(scenarioKey, count);
      if ((count - 1) % (failures + 1) < failures) {
        return {
          kind: 'reject',
          status: options.serverErrorStatus ?? 500,
          body: apiError(
            'The server had an error while processing your request. Sorry about that!',
            'server_error',
            'server_error',
          ),
          headers: {},
        };
      }
      return stream(answer(TEXT_ANSWER));
    }
    case 'ws-close-1006':
    case 'ws-close-1011':
      if (transport === 'websocket') {
        return stream(messageEvents(builder, splitWords(TEXT_ANSWER)), {
          afterEvents: Math.max(0, options.webSocketCloseAfterEvents ?? 0),
          how: scenario === 'ws-close-1006' ? 'terminate' : 'close-1011',
        });
      }
      return stream(answer(TEXT_ANSWER));
    case 'disconnect':
      return stream(messageEvents(builder, splitWords(TEXT_ANSWER)), {
        afterEvents: DISCONNECT_AFTER_EVENTS,
        how: 'terminate',
      });
    case 'echo': {
      const text = analysis.lastUserText.replace(SCENARIO_MARKER, '').trim();
      if (text === '') return stream(answer(TEXT_ANSWER));
      if (analysis.outputFormat.kind === 'text') return stream(messageEvents(builder, splitText(text, 8)));
      return stream(answer(text, jsonObjectText(text)));
    }
    case 'reasoning':
      return stream(
        (function* () {
          yield* reasoningEvents(builder, REASONING_SUMMARY);
          yield* answer(TEXT_ANSWER);
        })(),
      );
    case 'tool-call':
    case 'parallel-tool-calls':
      return stream(toolCallEvents(builder, analysis, scenario === 'parallel-tool-calls' ? 2 : 1));
    case 'tool-result': {
      const outputs = analysis.trailingToolOutputs;
      const text =
        outputs.length === 0
          ? 'There is no tool output to report.'
          : `The tool returned: ${outputs.join('; ')}. That completes the request.`;
      return stream(answer(text));
    }
    case 'compaction':
      return stream(
        compactionEvents(builder, compactionItem(normalizeInputItems(body.input), context.contentSealer)),
      );
    case 'failed':
      return stream([], undefined, () => ({
        type: 'response.failed',
        response: builder.response('failed', {
          error: { code: 'server_error', message: 'The model failed to generate a response. Try again.' },
        }),
      }));
    case 'incomplete':
      return stream(
        messageEvents(builder, splitWords('This answer was cut short because it hit'), {
          status: 'incomplete',
        }),
        undefined,
        () => ({
          type: 'response.incomplete',
          response: builder.response('incomplete', { incomplete_details: { reason: 'max_output_tokens' } }),
        }),
      );
    case 'error-nested':
      return stream([], undefined, () => ({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
          message:
            'Your input exceeds the context window of this model. Please adjust your input and try again.',
          param: 'input',
        },
      }));
    case 'large': {
      const bytes = options.largeResponseBytes ?? LARGE_DEFAULT_BYTES;
      return stream(messageEvents(builder, largeDeltas(bytes)));
    }
    case 'slow':
    case 'text':
      return stream(answer(TEXT_ANSWER));
  }
}

/**
 * The message events of a text answer in the format `text.format` asks for: the plain text in word
 * deltas, or (structured output) the JSON answer in 8-character deltas.
 */
function answerEvents(
  builder: ResponseBuilder,
  analysis: RequestAnalysis,
  plainText: string,
  jsonAnswer: string | undefined,
): Iterable<ResponsesEvent> {
  if (analysis.outputFormat.kind === 'text') return messageEvents(builder, splitWords(plainText));
  return messageEvents(builder, splitText(answerInFormat(analysis.outputFormat, plainText, jsonAnswer), 8));
}

/** The tool called when a request offers none. */
const DEFAULT_TOOL: OfferedTool = { kind: 'function', name: 'get_weather', parameters: {} };

/**
 * One or two tool calls: to the tool `tool_choice` forces (a named tool for every call; `"required"`
 * for the first), else to the offered tools in order (the first again when there is only one), else
 * to `get_weather`. A function tool gets a `function_call` with arguments valid for its schema, a
 * custom tool a `custom_tool_call` with a free-form input.
 */
function* toolCallEvents(
  builder: ResponseBuilder,
  analysis: RequestAnalysis,
  count: 1 | 2,
): Generator<ResponsesEvent> {
  const choice = analysis.toolChoice;
  const named = choice.kind === 'named' ? choice.tool : undefined;
  const first =
    named ?? (choice.kind === 'required' ? choice.tool : undefined) ?? analysis.tools[0] ?? DEFAULT_TOOL;
  const calls = count === 1 ? [first] : [first, named ?? analysis.tools[1] ?? first];
  for (const [variant, tool] of calls.entries()) {
    yield* tool.kind === 'custom'
      ? customToolCallEvents(builder, tool.name, customToolInput(tool, variant))
      : functionCallEvents(builder, tool.name, argumentsForSchema(tool.parameters, variant));
  }
}

/** `response.created` and `response.in_progress`, the content, then the terminal event (built last). */
function* withLifecycle(
  builder: ResponseBuilder,
  content: Iterable<ResponsesEvent>,
  terminal: () => ResponsesEvent,
): Generator<ResponsesEvent> {
  yield { type: 'response.created', response: builder.response('in_progress') };
  yield { type: 'response.in_progress', response: builder.response('in_progress') };
  yield* content;
  yield terminal();
}

function* largeDeltas(totalBytes: number): Generator<string> {
  const line = 'The quick brown fox jumps over the lazy dog. 0123456789 CodeTether emulator large stream.\n';
  const block = line.repeat(Math.ceil(LARGE_DELTA_BYTES / line.length)).slice(0, LARGE_DELTA_BYTES);
  let remaining = Math.max(0, totalBytes);
  while (remaining > 0) {
    const size = Math.min(remaining, block.length);
    yield size === block.length ? block : block.slice(0, size);
    remaining -= size;
  }
}

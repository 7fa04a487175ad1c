import { GatewayError } from './openai-error.js';

function unsupported(param: string, message: string): GatewayError {
  return new GatewayError(400, 'invalid_request_error', message, { param, code: 'unsupported_parameter' });
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * Checks a chat completions body for OpenAI parameters the gateway cannot honour over the Responses
 * backend and would otherwise silently drop: `n` other than 1, the legacy `functions` /
 * `function_call`, a `tool_choice` that requires a tool without (that) tool in `tools` (as OpenAI
 * refuses it), a `response_format` other than `text`, `json_object` or a well-formed `json_schema`,
 * `logprobs: true`, `top_logprobs` and a non-empty `stop`. `seed`, `user`, `n: 1` and the neutral
 * values of the parameters above are accepted and ignored; `parallel_tool_calls` is forwarded.
 *
 * @param body - the parsed JSON body (already schema-validated)
 * @returns a 400 {@link GatewayError} with `param` naming the field and code `unsupported_parameter`, or undefined
 */
export function findUnsupportedChatParameter(body: Record<string, unknown>): GatewayError | undefined {
  if (isSet(body.n) && body.n !== 1) {
    return unsupported(
      'n',
      `Unsupported value for 'n': the gateway returns one choice per request (got ${JSON.stringify(body.n)}). Remove 'n' or set it to 1, and send several requests for several choices.`,
    );
  }
  for (const legacy of ['functions', 'function_call'] as const) {
    if (isSet(body[legacy])) {
      return unsupported(
        legacy,
        `Unsupported parameter '${legacy}': the legacy function-calling fields are not supported. Use 'tools' and 'tool_choice' instead.`,
      );
    }
  }
  const choice = body.tool_choice;
  if (isSet(choice) && choice !== 'none' && choice !== 'auto') {
    const tools = Array.isArray(body.tools)
      ? (body.tools as { function?: { name?: unknown }; custom?: { name?: unknown } }[])
      : [];
    if (tools.length === 0) {
      return new GatewayError(
        400,
        'invalid_request_error',
        "Invalid value for 'tool_choice': it may only require a tool when 'tools' are specified. Add 'tools' or remove 'tool_choice'.",
        { param: 'tool_choice', code: 'invalid_value' },
      );
    }
    const named =
      typeof choice === 'object' && choice !== null
        ? (choice as { function?: { name?: unknown }; custom?: { name?: unknown } })
        : undefined;
    const wanted = named?.function?.name ?? named?.custom?.name;
    if (
      wanted !== undefined &&
      !tools.some((tool) => (tool.function?.name ?? tool.custom?.name) === wanted)
    ) {
      return new GatewayError(
        400,
        'invalid_request_error',
        `Invalid value for 'tool_choice': no tool named ${JSON.stringify(wanted)} is in 'tools'. Name one of the declared tools.`,
        { param: 'tool_choice', code: 'invalid_value' },
      );
    }
  }
  const formatError = checkResponseFormat(body.response_format);
  if (formatError !== undefined) return formatError;
  if (isSet(body.logprobs) && body.logprobs !== false) {
    return unsupported(
      'logprobs',
      "Unsupported parameter 'logprobs': the gateway cannot return log probabilities. Remove it or set it to false.",
    );
  }
  if (isSet(body.top_logprobs)) {
    return unsupported(
      'top_logprobs',
      "Unsupported parameter 'top_logprobs': the gateway cannot return log probabilities. Remove it.",
    );
  }
  const modalities = body.modalities;
  if (Array.isArray(modalities) && modalities.some((modality) => modality !== 'text')) {
    return unsupported(
      'modalities',
      `Unsupported value for 'modalities': the gateway answers text only (got ${JSON.stringify(modalities)}). Remove 'modalities' or set it to ["text"].`,
    );
  }
  if (isSet(body.audio)) {
    return unsupported(
      'audio',
      "Unsupported parameter 'audio': the gateway answers text only, never audio. Remove 'audio'.",
    );
  }
  if (isSet(body.web_search_options)) {
    return unsupported(
      'web_search_options',
      'Unsupported parameter \'web_search_options\': chat completions through the gateway cannot search the web. Use POST /v1/responses with the tool {"type": "web_search"} instead, or remove \'web_search_options\'.',
    );
  }
  const audioPart = findAudioPart(body.messages);
  if (audioPart !== undefined) {
    return unsupported(
      audioPart,
      `Unsupported content part '${audioPart}': the upstream models take no audio input. Send a transcript as a text part instead.`,
    );
  }
  const stop = body.stop;
  if (isSet(stop) && !(Array.isArray(stop) && stop.length === 0)) {
    return unsupported(
      'stop',
      "Unsupported parameter 'stop': the upstream models do not support stop sequences. Remove it.",
    );
  }
  return undefined;
}

/** The path (`messages[i].content[j]`) of the first `input_audio` part of a user message, if any. */
function findAudioPart(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (const [messageIndex, message] of messages.entries()) {
    const content = (message as { content?: unknown }).content;
    if (!Array.isArray(content)) continue;
    const partIndex = content.findIndex((part) => (part as { type?: unknown }).type === 'input_audio');
    if (partIndex !== -1) return `messages[${messageIndex}].content[${partIndex}]`;
  }
  return undefined;
}

function invalidFormat(param: string, message: string): GatewayError {
  return new GatewayError(400, 'invalid_request_error', message, { param, code: 'invalid_value' });
}

/** `text`, `json_object` and `json_schema` (with a name and an object schema) are supported. */
function checkResponseFormat(format: unknown): GatewayError | undefined {
  if (!isSet(format)) return undefined;
  const type =
    typeof format === 'object' && format !== null ? (format as { type?: unknown }).type : undefined;
  if (type === 'text' || type === 'json_object') return undefined;
  if (type !== 'json_schema') {
    return unsupported(
      'response_format',
      `Unsupported value for 'response_format.type': ${JSON.stringify(type ?? null)}. Use 'text', 'json_object' or 'json_schema'.`,
    );
  }
  const jsonSchema = (format as { json_schema?: unknown }).json_schema;
  if (typeof jsonSchema !== 'object' || jsonSchema === null) {
    return invalidFormat(
      'response_format.json_schema',
      "Missing 'response_format.json_schema': give an object with 'name' and 'schema'.",
    );
  }
  const { name, schema, strict, description } = jsonSchema as Record<string, unknown>;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    return invalidFormat(
      'response_format.json_schema.name',
      "Invalid 'response_format.json_schema.name': use 1 to 64 letters, digits, '_' or '-'.",
    );
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return invalidFormat(
      'response_format.json_schema.schema',
      "Invalid 'response_format.json_schema.schema': give the JSON Schema of the answer as an object.",
    );
  }
  if (isSet(strict) && typeof strict !== 'boolean') {
    return invalidFormat(
      'response_format.json_schema.strict',
      "Invalid 'response_format.json_schema.strict': use true or false.",
    );
  }
  if (isSet(description) && typeof description !== 'string') {
    return invalidFormat(
      'response_format.json_schema.description',
      "Invalid 'response_format.json_schema.description': use a string.",
    );
  }
  return undefined;
}

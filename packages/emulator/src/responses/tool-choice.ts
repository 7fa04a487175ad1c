/** A tool a request offers, as the scripted tool calls need it. */
export interface OfferedTool {
  /** `function` (JSON arguments) or `custom` (free-form text input, `{type:"custom"}` tools). */
  kind: 'function' | 'custom';
  /** Tool name. */
  name: string;
  /** JSON schema of a function tool's arguments (`{}` when none was given, and for custom tools). */
  parameters: Record<string, unknown>;
  /** The tool's description, if any. */
  description?: string;
  /** A custom tool's input `format` (`{type:"text"}` or `{type:"grammar", syntax, definition}`), if any. */
  format?: Record<string, unknown>;
}

/** What a request's `tool_choice` asks for. */
export type ToolChoice =
  /** `auto`, `none`, absent, or a shape the emulator does not force (hosted tools, allowed lists). */
  | { kind: 'free' }
  /** `"required"`: a call to some tool — the emulator calls the first one. */
  | { kind: 'required'; tool: OfferedTool }
  /** `{type:"function", name}` or `{type:"custom", name}`: a call to that tool. */
  | { kind: 'named'; tool: OfferedTool }
  /** A forced choice that cannot be honoured: the 400 message. */
  | { kind: 'invalid'; message: string };

/**
 * Reads `tool_choice` against the offered tools. Accepts the Responses shapes `{type:"function", name}`
 * and `{type:"custom", name}` (each naming a tool of that kind) and the Chat Completions shape
 * `{type:"function", function:{name}}`.
 *
 * @param toolChoice - the request's `tool_choice`
 * @param tools - the tools offered
 */
export function readToolChoice(toolChoice: unknown, tools: readonly OfferedTool[]): ToolChoice {
  if (toolChoice === 'required') {
    const [first] = tools;
    return first === undefined
      ? {
          kind: 'invalid',
          message:
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
        }
      : { kind: 'required', tool: first };
  }
  if (typeof toolChoice !== 'object' || toolChoice === null) return { kind: 'free' };
  const choice = toolChoice as Record<string, unknown>;
  if (choice.type !== 'function' && choice.type !== 'custom') return { kind: 'free' };
  const kind = choice.type;
  const nested =
    typeof choice[kind] === 'object' && choice[kind] !== null
      ? (choice[kind] as Record<string, unknown>)
      : choice;
  const name = nested.name;
  if (typeof name !== 'string' || name === '') {
    return { kind: 'invalid', message: "Missing required parameter: 'tool_choice.name'." };
  }
  const tool = tools.find((offered) => offered.kind === kind && offered.name === name);
  return tool === undefined
    ? { kind: 'invalid', message: `Tool choice '${kind}' not found in 'tools' parameter.` }
    : { kind: 'named', tool };
}

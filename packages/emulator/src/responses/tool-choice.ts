/** A function tool a request offers: its name and JSON schema. */
export interface OfferedTool {
  /** Function name. */
  name: string;
  /** JSON schema of the arguments (`{}` when none was given). */
  parameters: Record<string, unknown>;
}

/** What a request's `tool_choice` asks for. */
export type ToolChoice =
  /** `auto`, `none`, absent, or a shape the emulator does not force (hosted tools, allowed lists). */
  | { kind: 'free' }
  /** `"required"`: a call to some tool — the emulator calls the first one. */
  | { kind: 'required'; tool: OfferedTool }
  /** `{type:"function", name}`: a call to that tool. */
  | { kind: 'function'; tool: OfferedTool }
  /** A forced choice that cannot be honoured: the 400 message. */
  | { kind: 'invalid'; message: string };

/**
 * Reads `tool_choice` against the offered tools. Accepts the Responses shape `{type:"function", name}`
 * and the Chat Completions shape `{type:"function", function:{name}}`.
 *
 * @param toolChoice - the request's `tool_choice`
 * @param tools - the function tools offered
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
  if (choice.type !== 'function') return { kind: 'free' };
  const nested =
    typeof choice.function === 'object' && choice.function !== null
      ? (choice.function as Record<string, unknown>)
      : choice;
  const name = nested.name;
  if (typeof name !== 'string' || name === '') {
    return { kind: 'invalid', message: "Missing required parameter: 'tool_choice.name'." };
  }
  const tool = tools.find((offered) => offered.name === name);
  return tool === undefined
    ? { kind: 'invalid', message: "Tool choice 'function' not found in 'tools' parameter." }
    : { kind: 'function', tool };
}

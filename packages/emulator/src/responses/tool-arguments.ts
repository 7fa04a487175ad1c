import { cityFor, valueForSchema } from './schema-values.js';
import type { OfferedTool } from './tool-choice.js';

/**
 * Builds plausible JSON arguments for a function tool from its JSON schema (see
 * {@link valueForSchema}: every declared property gets a value of its type). An object schema
 * without properties gets `{}`; a tool without any schema gets the classic weather arguments.
 *
 * @param parameters - the tool's JSON schema
 * @param variant - 0, 1, … gives different values (parallel calls)
 */
export function argumentsForSchema(parameters: Record<string, unknown>, variant: number): string {
  const properties = parameters.properties;
  const hasProperties =
    typeof properties === 'object' && properties !== null && Object.keys(properties).length > 0;
  if (!hasProperties) {
    return parameters.type === 'object'
      ? '{}'
      : JSON.stringify({ location: cityFor(variant), unit: 'celsius' });
  }
  return JSON.stringify(valueForSchema(parameters, variant));
}

/** Longest part of a custom tool's description quoted in its input. */
const MAX_DESCRIPTION_CHARACTERS = 120;

/**
 * The free-form input of a call to a custom tool: for a patch tool (named `apply_patch`, or whose
 * description or grammar speaks of `*** Begin Patch`) a small patch adding one file, as the Codex CLI
 * expects; for any other tool one line naming it and quoting the first line of its description.
 *
 * @param tool - the custom tool
 * @param variant - 0, 1, … gives different inputs (parallel calls)
 */
export function customToolInput(tool: OfferedTool, variant: number): string {
  const grammar = typeof tool.format?.definition === 'string' ? tool.format.definition : '';
  const patchLike =
    tool.name === 'apply_patch' || /\*\*\* Begin Patch/.test(`${tool.description ?? ''}\n${grammar}`);
  if (patchLike) {
    const file = variant === 0 ? 'hello.txt' : `hello-${variant + 1}.txt`;
    return `*** Begin Patch\n*** Add File: ${file}\n+Hello from the CodeTether emulator.\n*** End Patch\n`;
  }
  const description =
    (tool.description ?? '').split('\n')[0]?.trim().slice(0, MAX_DESCRIPTION_CHARACTERS) ?? '';
  const suffix = variant === 0 ? '' : ` (call ${variant + 1})`;
  return description === ''
    ? `Input for ${tool.name}${suffix}.`
    : `Input for ${tool.name}${suffix}: ${description}`;
}

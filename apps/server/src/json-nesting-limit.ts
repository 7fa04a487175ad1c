import { isJsonNestedDeeperThan } from '@codetether/responses-protocol';
import { GatewayError } from './openai-error.js';
import { formatIssuePath } from './validation-error.js';

/** The deepest JSON nesting (objects and arrays) a request body may have: far above any real request. */
export const DEFAULT_MAX_JSON_DEPTH = 128;

/** Fields whose value is the client's own free-form JSON: a deep path inside one is reported as the field. */
const FREE_FORM_FIELDS: readonly (readonly (string | number)[])[] = [
  ['metadata'],
  ['response_format', 'json_schema', 'schema'],
  ['text', 'format', 'schema'],
  ['tools', -1, 'function', 'parameters'],
  ['tools', -1, 'parameters'],
];

function matchesPrefix(path: readonly PropertyKey[], pattern: readonly (string | number)[]): boolean {
  if (path.length < pattern.length) return false;
  return pattern.every((segment, index) =>
    segment === -1 ? typeof path[index] === 'number' : path[index] === segment,
  );
}

/** A value met while walking the body: its parent and key lead back to the root. */
interface WalkedValue {
  value: unknown;
  depth: number;
  key: PropertyKey | undefined;
  parent: WalkedValue | undefined;
}

/**
 * The path to the first value nested deeper than `maxDepth`, found without recursion (and without
 * copying a path per value: each value points at its parent).
 *
 * @param value - the parsed body
 * @param maxDepth - the deepest nesting allowed
 */
function pathBeyondDepth(value: unknown, maxDepth: number): PropertyKey[] {
  const stack: WalkedValue[] = [{ value, depth: 0, key: undefined, parent: undefined }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth >= maxDepth) {
      const path: PropertyKey[] = [];
      for (let step: WalkedValue | undefined = item; step?.key !== undefined; step = step.parent)
        path.push(step.key);
      return path.reverse();
    }
    const entries: [PropertyKey, unknown][] = Array.isArray(item.value)
      ? item.value.map((element, index) => [index, element])
      : Object.entries(item.value);
    for (const [key, child] of entries.reverse())
      stack.push({ value: child, depth: item.depth + 1, key, parent: item });
  }
  return [];
}

/**
 * Names the request field holding too deep a nesting, for the error's `param`: the free-form field it is
 * in (`metadata`, `tools[0].function.parameters`, `response_format.json_schema.schema`,
 * `text.format.schema`), else the top-level field.
 *
 * @param value - the parsed body
 * @param maxDepth - the deepest nesting allowed
 */
export function deepNestingParam(value: unknown, maxDepth: number): string | null {
  const path = pathBeyondDepth(value, maxDepth);
  if (path.length === 0) return null;
  const field = FREE_FORM_FIELDS.find((pattern) => matchesPrefix(path, pattern));
  return formatIssuePath(path.slice(0, field?.length ?? 1));
}

/**
 * The 400 `invalid_request_error` for a request body nested deeper than `maxDepth`, naming the field
 * in `param` ({@link deepNestingParam}); `undefined` when it is not that deep.
 *
 * @param text - the body's JSON text (already known to parse)
 * @param value - the parsed body
 * @param maxDepth - the deepest nesting allowed
 */
export function jsonNestingError(text: string, value: unknown, maxDepth: number): GatewayError | undefined {
  if (!isJsonNestedDeeperThan(text, maxDepth)) return undefined;
  const param = deepNestingParam(value, maxDepth);
  return new GatewayError(
    400,
    'invalid_request_error',
    `Invalid value for ${param === null ? 'the request body' : `'${param}'`}: the JSON is nested deeper than ${maxDepth} levels. Flatten it.`,
    { code: 'invalid_value', param },
  );
}

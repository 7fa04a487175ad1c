/** Nesting followed into object and array schemas before giving up with an empty value. */
const MAX_DEPTH = 6;

const CITIES = ['Paris', 'Tokyo', 'Lima', 'Oslo'];

/**
 * Builds plausible JSON arguments for a tool from its JSON schema, valid for simple schemas: every
 * declared property gets a value of its type (`enum`/`const`/`default` first; `location`-like strings
 * get a city; numbers stay within `minimum`/`maximum`; arrays get `minItems` items; nested objects recurse;
 * `anyOf`/`oneOf` take the first branch). An object schema without properties gets `{}`; a tool
 * without any schema gets the classic weather arguments.
 *
 * @param parameters - the tool's JSON schema
 * @param variant - 0, 1, … gives different values (parallel calls)
 */
export function argumentsForSchema(parameters: Record<string, unknown>, variant: number): string {
  const city = CITIES[variant % CITIES.length] ?? 'Paris';
  const properties = parameters.properties;
  const hasProperties =
    typeof properties === 'object' && properties !== null && Object.keys(properties).length > 0;
  if (!hasProperties) {
    return parameters.type === 'object' ? '{}' : JSON.stringify({ location: city, unit: 'celsius' });
  }
  return JSON.stringify(valueForSchema(parameters, '', variant, 0));
}

function valueForSchema(schema: unknown, name: string, variant: number, depth: number): unknown {
  const record = (typeof schema === 'object' && schema !== null ? schema : {}) as Record<string, unknown>;
  if (Object.hasOwn(record, 'const')) return record.const;
  if (Array.isArray(record.enum) && record.enum.length > 0) return record.enum[0];
  if (Object.hasOwn(record, 'default')) return record.default;
  const branches = Array.isArray(record.anyOf) ? record.anyOf : record.oneOf;
  if (Array.isArray(branches) && branches.length > 0)
    return valueForSchema(branches[0], name, variant, depth);
  const type = Array.isArray(record.type) ? record.type.find((entry) => entry !== 'null') : record.type;
  switch (type) {
    case 'number':
    case 'integer': {
      const lowest = typeof record.minimum === 'number' ? Math.ceil(record.minimum) : 0;
      const value = Math.max(variant + 1, lowest);
      return typeof record.maximum === 'number' && value > record.maximum
        ? Math.max(lowest, Math.floor(record.maximum))
        : value;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const count = typeof record.minItems === 'number' ? Math.min(Math.max(0, record.minItems), 8) : 0;
      if (count === 0 || depth >= MAX_DEPTH) return [];
      return Array.from({ length: count }, () => valueForSchema(record.items, name, variant, depth + 1));
    }
    case 'object':
      return objectForSchema(record, variant, depth);
    default:
      if (type === undefined && typeof record.properties === 'object')
        return objectForSchema(record, variant, depth);
      return /city|location|place|town/i.test(name)
        ? (CITIES[variant % CITIES.length] ?? 'Paris')
        : `example-${name === '' ? 'value' : name}`;
  }
}

function objectForSchema(record: Record<string, unknown>, variant: number, depth: number): unknown {
  const result: Record<string, unknown> = {};
  if (depth >= MAX_DEPTH || typeof record.properties !== 'object' || record.properties === null)
    return result;
  for (const [property, schema] of Object.entries(record.properties as Record<string, unknown>)) {
    Object.defineProperty(result, property, {
      value: valueForSchema(schema, property, variant, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

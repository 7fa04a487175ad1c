/** Nesting (and `$ref` hops) followed into a schema before giving up with an empty value. */
const MAX_DEPTH = 16;

/**
 * From this depth on, objects get only their `required` properties and `anyOf`/`oneOf` prefer a
 * `null` branch, so recursive schemas (a tree of optional children) end in a valid value.
 */
const SHALLOW_DEPTH = 8;

/** Most values generated for one schema: a hostile schema (arrays of arrays…) cannot blow up. */
const MAX_VALUES = 10_000;

/** Most items generated for an array's `minItems`. */
const MAX_ITEMS = 8;

const CITIES = ['Paris', 'Tokyo', 'Lima', 'Oslo'];

/** Example values of the common string `format`s, valid for their validators (zod, ajv). */
const STRING_FORMAT_EXAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2026-01-01T12:00:00Z',
  date: '2026-01-01',
  time: '12:00:00Z',
  duration: 'P1D',
  email: 'user@example.com',
  'idn-email': 'user@example.com',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.com/',
  'uri-reference': 'https://example.com/',
  iri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
};

/**
 * A city for a property named like a place, varying with `variant`.
 *
 * @param variant - 0, 1, … (parallel calls get different cities)
 */
export function cityFor(variant: number): string {
  return CITIES[variant % CITIES.length] ?? 'Paris';
}

/**
 * Builds a JSON value that validates against a JSON schema, for the simple schemas tools and
 * structured outputs use: `const`/`enum`/`default` first; every declared property of an object
 * (nested objects recurse); `minItems` items for arrays; numbers within `minimum`/`maximum`;
 * strings of their `format` (`date-time`, `email`, `uri`, `uuid`…) and `minLength`/`maxLength`
 * (`location`-like names get a city); the first `anyOf`/`oneOf` branch; `allOf` branches merged;
 * local `$ref`s (`#/$defs/…`, `#/definitions/…`, `#`) resolved against the root schema. Never throws;
 * hostile schemas (deep nesting, reference loops, `__proto__` properties) give bounded values.
 *
 * @param schema - the JSON schema
 * @param variant - 0, 1, … gives different values (parallel calls)
 */
export function valueForSchema(schema: unknown, variant: number): unknown {
  return new SchemaFiller(asRecord(schema), variant).value(schema, '', 0);
}

class SchemaFiller {
  private valuesLeft = MAX_VALUES;

  constructor(
    private readonly root: Record<string, unknown>,
    private readonly variant: number,
  ) {}

  value(schema: unknown, name: string, depth: number): unknown {
    const record = asRecord(schema);
    this.valuesLeft -= 1;
    if (typeof record.$ref === 'string') {
      if (depth >= MAX_DEPTH) return null;
      return this.value(resolvePointer(this.root, record.$ref), name, depth + 1);
    }
    if (Object.hasOwn(record, 'const')) return record.const;
    if (Array.isArray(record.enum) && record.enum.length > 0) return record.enum[0];
    if (Object.hasOwn(record, 'default')) return record.default;
    const branches = Array.isArray(record.anyOf) ? record.anyOf : record.oneOf;
    if (Array.isArray(branches) && branches.length > 0) {
      const nullBranch = branches.find((branch) => asRecord(branch).type === 'null');
      const shallow = depth >= SHALLOW_DEPTH || this.valuesLeft <= 0;
      return this.value(shallow && nullBranch !== undefined ? nullBranch : branches[0], name, depth);
    }
    if (Array.isArray(record.allOf) && record.allOf.length > 0) {
      if (depth >= MAX_DEPTH) return null;
      return this.value(this.mergeAllOf(record), name, depth + 1);
    }
    const type = Array.isArray(record.type) ? record.type.find((entry) => entry !== 'null') : record.type;
    switch (type) {
      case 'number':
      case 'integer':
        return this.number(record);
      case 'boolean':
        return true;
      case 'null':
        return null;
      case 'array': {
        const count =
          typeof record.minItems === 'number' ? Math.min(Math.max(0, record.minItems), MAX_ITEMS) : 0;
        if (count === 0 || depth >= MAX_DEPTH || this.valuesLeft <= 0) return [];
        return Array.from({ length: count }, () => this.value(record.items, name, depth + 1));
      }
      case 'object':
        return this.object(record, depth);
      default:
        if (type === undefined && typeof record.properties === 'object') return this.object(record, depth);
        return this.string(record, name);
    }
  }

  private number(record: Record<string, unknown>): number {
    const lowest =
      typeof record.minimum === 'number'
        ? Math.ceil(record.minimum)
        : typeof record.exclusiveMinimum === 'number'
          ? Math.floor(record.exclusiveMinimum) + 1
          : 0;
    const highest =
      typeof record.maximum === 'number'
        ? Math.floor(record.maximum)
        : typeof record.exclusiveMaximum === 'number'
          ? Math.ceil(record.exclusiveMaximum) - 1
          : undefined;
    const value = Math.max(this.variant + 1, lowest);
    return highest !== undefined && value > highest ? Math.max(lowest, highest) : value;
  }

  private string(record: Record<string, unknown>, name: string): string {
    const example =
      typeof record.format === 'string' && Object.hasOwn(STRING_FORMAT_EXAMPLES, record.format)
        ? (STRING_FORMAT_EXAMPLES[record.format] ?? '')
        : /city|location|place|town/i.test(name)
          ? cityFor(this.variant)
          : `example-${name === '' ? 'value' : name}`;
    const shortest = typeof record.minLength === 'number' ? Math.min(Math.max(0, record.minLength), 1024) : 0;
    const padded = example.length >= shortest ? example : example.padEnd(shortest, 'x');
    return typeof record.maxLength === 'number' && padded.length > record.maxLength
      ? padded.slice(0, Math.max(shortest, Math.max(0, record.maxLength)))
      : padded;
  }

  private object(record: Record<string, unknown>, depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    if (depth >= MAX_DEPTH || typeof record.properties !== 'object' || record.properties === null)
      return result;
    const required = Array.isArray(record.required) ? record.required : [];
    const shallow = depth >= SHALLOW_DEPTH || this.valuesLeft <= 0;
    for (const [property, schema] of Object.entries(record.properties as Record<string, unknown>)) {
      if (shallow && !required.includes(property)) continue;
      defineKey(result, property, this.value(schema, property, depth + 1));
    }
    return result;
  }

  /** The branches of `allOf` (and the schema around it) as one schema: properties merged, other keys first wins. */
  private mergeAllOf(record: Record<string, unknown>): Record<string, unknown> {
    const { allOf, ...rest } = record;
    const merged: Record<string, unknown> = { ...rest };
    const properties: Record<string, unknown> = { ...asRecord(rest.properties) };
    const required: unknown[] = Array.isArray(rest.required) ? [...rest.required] : [];
    for (const branch of Array.isArray(allOf) ? allOf : []) {
      const branchRecord = asRecord(
        typeof asRecord(branch).$ref === 'string'
          ? resolvePointer(this.root, String(asRecord(branch).$ref))
          : branch,
      );
      for (const [key, value] of Object.entries(branchRecord)) {
        if (key === 'properties' || key === 'required' || Object.hasOwn(merged, key)) continue;
        defineKey(merged, key, value);
      }
      for (const [key, value] of Object.entries(asRecord(branchRecord.properties))) {
        defineKey(properties, key, value);
      }
      if (Array.isArray(branchRecord.required)) required.push(...branchRecord.required);
    }
    if (Object.keys(properties).length > 0) merged.properties = properties;
    if (required.length > 0) merged.required = required;
    return merged;
  }
}

/** Sets a key as an own data property: a key named `__proto__` stays a plain key, never the prototype. */
function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Follows a local JSON pointer (`#`, `#/$defs/name`); anything else resolves to the empty schema. */
function resolvePointer(root: Record<string, unknown>, reference: string): unknown {
  if (!reference.startsWith('#')) return {};
  let current: unknown = root;
  for (const token of reference.slice(1).split('/').slice(1)) {
    const key = decodePointerToken(token);
    const record = asRecord(current);
    if (!Object.hasOwn(record, key)) return {};
    current = record[key];
  }
  return current;
}

/** One JSON pointer token: percent-decoded (when well formed), then `~1` → `/` and `~0` → `~`. */
function decodePointerToken(token: string): string {
  let decoded = token;
  try {
    decoded = decodeURIComponent(token);
  } catch {
    // A malformed percent escape: the token as written.
  }
  return decoded.replaceAll('~1', '/').replaceAll('~0', '~');
}

import { describe, expect, it } from 'vitest';
import { valueForSchema } from './schema-values.js';

describe('valueForSchema', () => {
  it('resolves local $refs ($defs, definitions, the root) and merges allOf branches', () => {
    const schema = {
      type: 'object',
      required: ['owner', 'tags', 'audit'],
      properties: {
        owner: { $ref: '#/$defs/person' },
        backup: { $ref: '#/definitions/person' },
        tags: { type: 'array', minItems: 1, items: { $ref: '#/$defs/tag' } },
        audit: {
          allOf: [
            { $ref: '#/$defs/stamp' },
            { type: 'object', required: ['by'], properties: { by: { type: 'string' } } },
          ],
        },
      },
      $defs: {
        person: { type: 'object', properties: { name: { type: 'string' } } },
        tag: { enum: ['red', 'blue'] },
        stamp: {
          type: 'object',
          required: ['at'],
          properties: { at: { type: 'string', format: 'date-time' } },
        },
      },
      definitions: { person: { type: 'object', properties: { email: { type: 'string', format: 'email' } } } },
    };
    expect(valueForSchema(schema, 0)).toEqual({
      owner: { name: 'example-name' },
      backup: { email: 'user@example.com' },
      tags: ['red'],
      audit: { at: '2026-01-01T12:00:00Z', by: 'example-by' },
    });
  });

  it('gives strings of their format and length, and numbers within exclusive bounds', () => {
    const schema = {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        site: { type: 'string', format: 'uri' },
        day: { type: 'string', format: 'date' },
        code: { type: 'string', minLength: 20 },
        short: { type: 'string', maxLength: 3 },
        odd: { type: 'string', format: 'no-such-format' },
        ratio: { type: 'number', exclusiveMinimum: 4 },
        small: { type: 'integer', exclusiveMaximum: 1, minimum: -3 },
      },
    };
    const value = valueForSchema(schema, 0) as Record<string, unknown>;
    expect(value.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(value.site).toBe('https://example.com/');
    expect(value.day).toBe('2026-01-01');
    expect(String(value.code)).toHaveLength(20);
    expect(String(value.short).length).toBeLessThanOrEqual(3);
    expect(value.odd).toBe('example-odd');
    expect(value.ratio).toBe(5);
    expect(value.small).toBe(0);
  });

  it('ends recursive schemas: deep down only required properties, and the null branch of anyOf', () => {
    const schema = {
      $ref: '#/$defs/node',
      $defs: {
        node: {
          type: 'object',
          required: ['label', 'next'],
          properties: {
            label: { type: 'string' },
            next: { anyOf: [{ $ref: '#/$defs/node' }, { type: 'null' }] },
            children: { type: 'array', minItems: 1, items: { $ref: '#/$defs/node' } },
          },
        },
      },
    };
    let node = valueForSchema(schema, 0) as Record<string, unknown> | null;
    let levels = 0;
    while (node !== null) {
      expect(node.label).toBe('example-label');
      node = node.next as Record<string, unknown> | null;
      levels += 1;
    }
    expect(levels).toBeGreaterThan(1);
    expect(levels).toBeLessThan(20);
  });

  it('stays bounded and never throws on hostile schemas', () => {
    const loop = { $ref: '#/$defs/a', $defs: { a: { $ref: '#/$defs/a' } } };
    expect(() => valueForSchema(loop, 0)).not.toThrow();
    let arrays: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < 30; level += 1) arrays = { type: 'array', minItems: 8, items: arrays };
    expect(JSON.stringify(valueForSchema(arrays, 0)).length).toBeLessThan(1_000_000);
    for (const odd of [null, 42, 'x', [], { $ref: '#/%E0%A4%A' }, { $ref: 'https://elsewhere/x' }]) {
      expect(() => valueForSchema(odd, 0)).not.toThrow();
    }
    const proto = JSON.parse('{"allOf":[{"type":"object","properties":{"__proto__":{"type":"boolean"}}}]}');
    const value = valueForSchema(proto, 0) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
  });
});

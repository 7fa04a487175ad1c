import { z } from 'zod';
import { type GatewayRoute, requiresServerKey } from './gateway-routes.js';
import { openAiErrorBodySchema } from './openai-error.js';

/** A JSON Schema (2020-12) object, as OpenAPI 3.1 embeds it. */
export type JsonSchema = Record<string, unknown>;

/** The parts of an OpenAPI 3.1 document the gateway writes. */
export interface OpenApiDocument {
  /** Always `3.1.0`. */
  openapi: '3.1.0';
  /** Title, version and description. */
  info: { title: string; version: string; description: string };
  /** Operations by path (`{param}` syntax) and lower-case method. */
  paths: Record<string, Record<string, Record<string, unknown>>>;
  /** Named schemas and the bearer security scheme. */
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

/** Options of {@link createOpenApiDocument}. */
export interface OpenApiDocumentOptions {
  /** The gateway's version (`info.version`). */
  version: string;
}

/** The name of the bearer scheme in `components.securitySchemes`. */
export const SERVER_KEY_SECURITY_SCHEME = 'serverApiKey';

const ERROR_SCHEMA_NAME = 'ErrorBody';

/**
 * The JSON Schema of a zod schema, for `components.schemas`: request bodies as the gateway accepts
 * them (`input`), answers as it sends them (`output`).
 */
function toComponentSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
  }) as JsonSchema;
  return jsonSchema;
}

function schemaReference(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** The optional query parameters of a zod object: one parameter per property, its description apart. */
function toQueryParameters(query: z.ZodObject): Record<string, unknown>[] {
  const properties = toComponentSchema(query, 'input').properties;
  return Object.entries((properties ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => {
    const { description, ...parameterSchema } = schema;
    return {
      name,
      in: 'query',
      required: false,
      ...(description === undefined ? {} : { description }),
      schema: parameterSchema,
    };
  });
}

/** `/v1/models/:model` → `/v1/models/{model}` and its path parameters. */
function toOpenApiPath(path: string): { path: string; parameters: string[] } {
  const parameters: string[] = [];
  const converted = path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment;
      parameters.push(segment.slice(1));
      return `{${segment.slice(1)}}`;
    })
    .join('/');
  return { path: converted, parameters };
}

/**
 * Builds the OpenAPI 3.1 document of a route table: every route and method, the zod schemas of request
 * and answer bodies converted with `z.toJSONSchema`, OpenAI's error body for every failure, and the
 * bearer key on the routes that need it.
 *
 * @param routes - the route table
 * @param options - the gateway's version
 */
export function createOpenApiDocument(
  routes: readonly GatewayRoute[],
  options: OpenApiDocumentOptions,
): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = {
    [ERROR_SCHEMA_NAME]: toComponentSchema(openAiErrorBodySchema, 'output'),
  };
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const { path, parameters } = toOpenApiPath(route.path);
    const documentation = route.documentation;
    for (const method of route.methods) {
      const operationId = documentation?.operationId ?? `${method} ${route.path}`;
      const operation: Record<string, unknown> = {
        operationId,
        summary: documentation?.summary ?? `${method} ${path}`,
      };
      const operationParameters: Record<string, unknown>[] = parameters.map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string' },
      }));
      if (documentation?.query !== undefined)
        operationParameters.push(...toQueryParameters(documentation.query));
      if (operationParameters.length > 0) operation.parameters = operationParameters;
      if (documentation?.requestBody !== undefined) {
        const name = `${capitalized(operationId)}Request`;
        schemas[name] = toComponentSchema(documentation.requestBody, 'input');
        operation.requestBody = {
          required: true,
          content: { 'application/json': { schema: schemaReference(name) } },
        };
      }
      const content: Record<string, { schema?: JsonSchema }> = {};
      for (const [mediaType, schema] of Object.entries(documentation?.responseContent ?? {})) {
        if (schema === undefined) {
          content[mediaType] = {};
          continue;
        }
        const name = `${capitalized(operationId)}Response`;
        schemas[name] = toComponentSchema(schema, 'output');
        content[mediaType] = { schema: schemaReference(name) };
      }
      operation.responses = {
        '200': {
          description: documentation?.responseDescription ?? 'Success.',
          ...(Object.keys(content).length > 0 ? { content } : {}),
        },
        default: {
          description: "An error, in OpenAI's shape.",
          content: { 'application/json': { schema: schemaReference(ERROR_SCHEMA_NAME) } },
        },
      };
      operation.security = requiresServerKey(route.path) ? [{ [SERVER_KEY_SECURITY_SCHEME]: [] }] : [];
      paths[path] = { ...paths[path], [method.toLowerCase()]: operation };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'CodeTether gateway (codetether-server)',
      version: options.version,
      description:
        'An OpenAI-compatible gateway over a ChatGPT subscription or an OpenAI API key. Errors use OpenAI\'s body `{"error":{"message","type","param","code"}}`.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        [SERVER_KEY_SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            "The gateway's key: CODETETHER_SERVER_API_KEY, or the key generated on first start and stored in CODETETHER_HOME/server-api-key.",
        },
      },
    },
  };
}

import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { GatewayError } from './openai-error.js';

/** The Hono environment of the gateway: what the first middleware stores for every request. */
export interface GatewayEnvironment {
  /** Per-request values. */
  Variables: {
    /** Monotonic time the request arrived, ms. */
    startedAt: number;
    /** The request id echoed in `x-request-id`. */
    requestId: string;
    /**
     * The name of the key the request presented, set once it is authenticated (on the paths that take
     * the gateway's keys, {@link SERVER_KEY_PATH_PATTERNS}); per-key metrics name it.
     */
    clientKeyName: string | undefined;
  };
}

/** What a route handler is told about its request besides the Hono context. */
export interface RouteRequest {
  /** Monotonic time the request arrived, ms. */
  startedAt: number;
  /** The route's label in metrics and logs. */
  route: string;
}

/** Answers the requests of one route. */
export type GatewayRouteHandler = (
  c: Context<GatewayEnvironment>,
  request: RouteRequest,
) => Response | Promise<Response>;

/** An HTTP method a route can answer. */
export type GatewayRouteMethod = 'GET' | 'POST' | 'DELETE';

/** How a route is described in `GET /openapi.json`. */
export interface GatewayRouteDocumentation {
  /** The OpenAPI `operationId` (OpenAI's name where there is one, e.g. `createChatCompletion`). */
  operationId: string;
  /** One line saying what the route does. */
  summary: string;
  /** The zod schema the handler validates its JSON request body with. */
  requestBody?: z.ZodType;
  /** The query string parameters the handler reads: each property one optional parameter. */
  query?: z.ZodObject;
  /** What a successful (200) answer is. */
  responseDescription: string;
  /** The media types of a successful answer, each with the zod schema of its body when the gateway has one. */
  responseContent: Readonly<Record<string, z.ZodType | undefined>>;
}

/** One row of the gateway's route table. */
export interface GatewayRoute {
  /** Path pattern in Hono syntax, e.g. `/v1/models/:model`. */
  path: string;
  /** Methods the handler answers; a `GET` route answers `HEAD` too. Other methods get 405 with `Allow`. */
  methods: readonly GatewayRouteMethod[];
  /** The handler. */
  handler: GatewayRouteHandler;
  /** The `route` label of its metrics and log lines (default: `path`). */
  metricsLabel?: string;
  /** Its description in `GET /openapi.json` (default: only its path and methods). */
  documentation?: GatewayRouteDocumentation;
  /** The body of its error answers, for another API dialect (default: OpenAI's error body). */
  errorBody?: (error: GatewayError) => unknown;
}

/** The requests that need the server key (Hono path pattern); every other route is open. */
export const SERVER_KEY_PATH_PATTERN = '/v1/*';

/** Every path pattern that needs the server key: OpenAI's and Anthropic's `/v1`, Ollama's `/api`. */
export const SERVER_KEY_PATH_PATTERNS: readonly string[] = [SERVER_KEY_PATH_PATTERN, '/api/*'];

/** The metrics label of requests no route matches. */
export const UNMATCHED_ROUTE_LABEL = 'other';

function labelOf(route: GatewayRoute): string {
  return route.metricsLabel ?? route.path;
}

function pathMatcher(pattern: string): RegExp {
  const source = pattern
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) return '[^/]+';
      if (segment === '*') return '.*';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Whether requests to `path` (a route pattern or a request path) need the server key.
 *
 * @param path - e.g. `/v1/models/:model`
 */
export function requiresServerKey(path: string): boolean {
  return SERVER_KEY_PATH_PATTERNS.some((pattern) => pathMatcher(pattern).test(path));
}

/**
 * Builds the function that names a request path for metrics and logs: the label of the first route
 * whose path pattern matches, else `other`.
 *
 * @param routes - the route table
 */
export function createRouteLabeler(routes: readonly GatewayRoute[]): (path: string) => string {
  const matchers = routes.map((route) => ({ matcher: pathMatcher(route.path), label: labelOf(route) }));
  return (path) => matchers.find(({ matcher }) => matcher.test(path))?.label ?? UNMATCHED_ROUTE_LABEL;
}

/**
 * Builds the function that writes an error's body for a request path: the `errorBody` of the first
 * route whose pattern matches (Anthropic's or Ollama's shape); for a path no route matches (an
 * endpoint of the dialect the gateway does not serve, such as Ollama's `/api/pull`), the shape of
 * the routes beside it — under its nearest folder that has routes, when they all share one; else
 * OpenAI's error body.
 *
 * @param routes - the route table
 */
export function createErrorBodyFormatter(
  routes: readonly GatewayRoute[],
): (path: string, error: GatewayError) => unknown {
  const matchers = routes.map((route) => ({ matcher: pathMatcher(route.path), errorBody: route.errorBody }));
  return (path, error) => {
    const matched = matchers.find(({ matcher }) => matcher.test(path));
    const errorBody = matched === undefined ? neighboursErrorBody(routes, path) : matched.errorBody;
    return errorBody === undefined ? error.toBody() : errorBody(error);
  };
}

/** The error body shared by every route under the nearest folder of `path` that has routes (`undefined`: none, or mixed). */
function neighboursErrorBody(
  routes: readonly GatewayRoute[],
  path: string,
): GatewayRoute['errorBody'] | undefined {
  for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
    const folder = path.slice(0, end + 1);
    const neighbours = routes.filter((route) => route.path.startsWith(folder));
    if (neighbours.length === 0) continue;
    const shared = neighbours[0]?.errorBody;
    return neighbours.every((route) => route.errorBody === shared) ? shared : undefined;
  }
  return undefined;
}

/** The `Allow` header of each path: its routes' methods in table order, `HEAD` right after `GET`. */
function allowedMethodsByPath(routes: readonly GatewayRoute[]): Map<string, string> {
  const methods = new Map<string, string[]>();
  for (const route of routes) {
    const allowed = methods.get(route.path) ?? [];
    for (const method of route.methods) {
      if (!allowed.includes(method)) allowed.push(method);
      if (method === 'GET' && !allowed.includes('HEAD')) allowed.push('HEAD');
    }
    methods.set(route.path, allowed);
  }
  return new Map([...methods].map(([path, allowed]) => [path, allowed.join(', ')]));
}

/**
 * Registers the route table on `app`: every handler, then for each path a 405
 * (`method_not_allowed`, with `Allow`) for the methods it does not answer. Register middleware first.
 *
 * @param app - the gateway's Hono application
 * @param routes - the route table
 */
export function registerRoutes(app: Hono<GatewayEnvironment>, routes: readonly GatewayRoute[]): void {
  for (const route of routes) {
    const label = labelOf(route);
    app.on([...route.methods], route.path, (c) =>
      route.handler(c, { startedAt: c.get('startedAt'), route: label }),
    );
  }
  for (const [path, allow] of allowedMethodsByPath(routes)) {
    app.all(path, (c) => {
      throw new GatewayError(
        405,
        'invalid_request_error',
        `Method ${c.req.method} is not allowed on ${c.req.path}. Use ${allow}.`,
        { code: 'method_not_allowed', headers: { allow } },
      );
    });
  }
}

import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { GatewayError } from './openai-error.js';

/** What {@link createRequestOriginPolicy} is built from. */
export interface RequestOriginPolicyOptions {
  /**
   * The address the gateway is bound to. Bound to loopback, it answers only loopback `Host` names (a
   * DNS-rebinding page's requests carry the attacker's name); undefined (no socket) or any other
   * address checks no `Host` unless `allowedHosts` names some.
   */
  bindHost?: string | undefined;
  /** More `Host` names to answer (no port), or `*` to answer any. */
  allowedHosts?: readonly string[] | undefined;
  /** Browser origins allowed to call the gateway (`scheme://host[:port]`), or `*` for any; none by default. */
  allowedOrigins?: readonly string[] | undefined;
}

/** Decides which requests the gateway answers by their `Host` and `Origin` headers. */
export interface RequestOriginPolicy {
  /** True when a request with this `Host` header (name and optional port) may be answered. */
  allowsHost(host: string | undefined): boolean;
  /** True when a request with this `Origin` header may be answered (no header: always). */
  allowsOrigin(origin: string | undefined): boolean;
  /** True when some origins are allowed, so CORS headers are sent to them. */
  readonly corsEnabled: boolean;
}

/**
 * True for a loopback address or name: `localhost`, a `*.localhost` name, `127.0.0.0/8`, `::1`.
 *
 * @param host - an address or host name, without port (IPv6 with or without brackets)
 */
export function isLoopbackHost(host: string): boolean {
  const name = normalizeHostName(host);
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** A host name as compared: lower case, without brackets or a trailing dot. */
function normalizeHostName(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name;
}

/** The name part of a `Host` header: `[::1]:8787` → `::1`, `localhost:8787` → `localhost`. */
function hostNameOf(header: string): string {
  const trimmed = header.trim();
  if (trimmed.startsWith('[')) {
    const end = trimmed.indexOf(']');
    return normalizeHostName(end === -1 ? trimmed : trimmed.slice(0, end + 1));
  }
  const colon = trimmed.indexOf(':');
  // More than one colon: a bare IPv6 address (not valid in Host, but compare it whole).
  if (colon !== -1 && trimmed.indexOf(':', colon + 1) === -1)
    return normalizeHostName(trimmed.slice(0, colon));
  return normalizeHostName(trimmed);
}

/**
 * Creates the gateway's `Host`/`Origin` policy. Bound to loopback (the default), only loopback `Host`
 * names, the bound address and `allowedHosts` are answered — so a web page that rebinds its own DNS
 * name to 127.0.0.1 cannot read `/metrics`, `/healthz` or anything else. A request from a browser
 * page (it has an `Origin` header) is answered only when that origin is in `allowedOrigins`.
 *
 * @param options - bind address, extra host names, allowed origins
 */
export function createRequestOriginPolicy(options: RequestOriginPolicyOptions = {}): RequestOriginPolicy {
  const extraHosts = (options.allowedHosts ?? []).map(normalizeHostName).filter((name) => name !== '');
  const anyHost = extraHosts.includes('*');
  const checksHost =
    !anyHost &&
    ((options.bindHost !== undefined && isLoopbackHost(options.bindHost)) || extraHosts.length > 0);
  const knownHosts = new Set(extraHosts);
  if (options.bindHost !== undefined) knownHosts.add(normalizeHostName(options.bindHost));
  const origins = (options.allowedOrigins ?? []).map((origin) => origin.trim().replace(/\/+$/, ''));
  const anyOrigin = origins.includes('*');
  const knownOrigins = new Set(origins.map((origin) => origin.toLowerCase()));
  return {
    allowsHost(host) {
      if (!checksHost) return true;
      if (host === undefined || host === '') return false;
      const name = hostNameOf(host);
      return knownHosts.has(name) || isLoopbackHost(name);
    },
    allowsOrigin(origin) {
      if (origin === undefined) return true;
      return anyOrigin || knownOrigins.has(origin.trim().toLowerCase());
    },
    corsEnabled: origins.length > 0,
  };
}

/** The host of a request URL (for requests built without a `Host` header, e.g. in tests). */
function hostOfUrl(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/**
 * The 403 for a request from a `Host` or browser `Origin` the policy does not answer, else undefined.
 *
 * @param policy - the gateway's policy
 * @param request - the incoming request
 */
export function refuseByHostOrOrigin(
  policy: RequestOriginPolicy,
  request: Request,
): GatewayError | undefined {
  const headers = request.headers;
  return refuseHostOrOrigin(
    policy,
    headers.get('host') ?? hostOfUrl(request.url),
    headers.get('origin') ?? undefined,
  );
}

/**
 * The 403 for a request whose `Host` or `Origin` the policy does not allow (see
 * {@link refuseByHostOrOrigin}), given the two header values — e.g. of a WebSocket upgrade request.
 *
 * @param policy - the gateway's policy
 * @param host - the `Host` header
 * @param origin - the `Origin` header, when the request has one
 */
export function refuseHostOrOrigin(
  policy: RequestOriginPolicy,
  host: string | undefined,
  origin: string | undefined,
): GatewayError | undefined {
  if (!policy.allowsHost(host)) {
    return new GatewayError(
      403,
      'permission_error',
      'The gateway does not answer this Host name (it only answers loopback names while bound to loopback, against DNS rebinding). Use http://127.0.0.1 or http://localhost, or allow the name with --allowed-hosts.',
      { code: 'host_not_allowed' },
    );
  }
  if (!policy.allowsOrigin(origin)) {
    return new GatewayError(
      403,
      'permission_error',
      'The gateway does not answer requests from this browser origin. Allow it with --allowed-origins.',
      { code: 'origin_not_allowed' },
    );
  }
  return undefined;
}

/**
 * The CORS middleware for the allowed origins (`*` for any): answers preflights and adds
 * `Access-Control-Allow-Origin` for them, exposing `x-request-id`, `retry-after` and the `x-codex-*`
 * usage headers.
 *
 * @param allowedOrigins - the origins allowed
 */
export function createCorsMiddleware(allowedOrigins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(allowedOrigins.map((origin) => origin.trim().replace(/\/+$/, '')));
  return cors({
    origin: (origin) => (allowed.has('*') || allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: [
      'authorization',
      'content-type',
      'x-request-id',
      'session_id',
      'x-session-id',
      'x-codetether-reasoning',
    ],
    exposeHeaders: [
      'x-request-id',
      'retry-after',
      'x-codex-primary-used-percent',
      'x-codex-primary-window-minutes',
      'x-codex-primary-reset-at',
      'x-codex-secondary-used-percent',
      'x-codex-secondary-window-minutes',
      'x-codex-secondary-reset-at',
      'x-codex-plan-type',
      'x-codex-credits-balance',
    ],
    maxAge: 600,
  });
}

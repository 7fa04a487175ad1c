import { RedisCredentialStoreError } from './redis-credential-store-error.js';

/** Where and how to connect, read from a `redis://` or `rediss://` URL. */
export interface RedisConnectionSettings {
  /** Host name or address. */
  host: string;
  /** TCP port (default 6379). */
  port: number;
  /** Database number (the URL path, default 0). */
  database: number;
  /** ACL user name, when the URL has one. */
  username?: string;
  /** Password, when the URL has one. Never shown anywhere. */
  password?: string;
  /** True for `rediss://` (TLS, certificate checked against `host`). */
  tls: boolean;
  /** The URL without user name and password, safe to print: `redis://host:port/db`. */
  location: string;
  /** The lock lifetime from the URL's `lock_ttl_ms` query parameter, ms, when given. */
  lockTtlMs?: number;
}

function misconfigured(problem: string): RedisCredentialStoreError {
  return new RedisCredentialStoreError(
    'store-misconfigured',
    `The Redis store URL ${problem}. Use redis://[user:password@]host[:port][/database] (rediss:// for TLS).`,
  );
}

/**
 * Parses a Redis URL: `redis://[user:password@]host[:port][/database][?lock_ttl_ms=N]`, or `rediss://…` for
 * TLS. User name and password are percent-decoded; `lock_ttl_ms` sets the refresh lock's lifetime. A malformed URL is `store-misconfigured`, and its message never
 * repeats the URL (it may hold a password).
 *
 * @param url - the URL, e.g. the value of `CODETETHER_STORE`
 */
export function parseRedisStoreUrl(url: string): RedisConnectionSettings {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw misconfigured('is not a valid URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw misconfigured(`has the scheme '${parsed.protocol}' instead of redis: or rediss:`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw misconfigured('has no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const path = parsed.pathname.replace(/^\/+|\/+$/g, '');
  if (!/^\d*$/.test(path)) throw misconfigured(`has the path '/${path}' where a database number belongs`);
  const database = path === '' ? 0 : Number(path);
  const settings: RedisConnectionSettings = {
    host,
    port,
    database,
    tls: parsed.protocol === 'rediss:',
    location: `${parsed.protocol}//${parsed.host}/${database}`,
  };
  const lockTtl = parsed.searchParams.get('lock_ttl_ms');
  if (lockTtl !== null) {
    if (!/^\d+$/.test(lockTtl))
      throw misconfigured(`has lock_ttl_ms='${lockTtl}' where a number of milliseconds belongs`);
    settings.lockTtlMs = Number(lockTtl);
  }
  try {
    if (parsed.username !== '') settings.username = decodeURIComponent(parsed.username);
    if (parsed.password !== '') settings.password = decodeURIComponent(parsed.password);
  } catch {
    throw misconfigured('has a user name or password that is not correctly percent-encoded');
  }
  return settings;
}

import { describe, expect, it } from 'vitest';
import { parseRedisStoreUrl } from './redis-store-url.js';

describe('parseRedisStoreUrl', () => {
  it('reads host, port, database, credentials and TLS, and keeps the password out of the location', () => {
    expect(parseRedisStoreUrl('rediss://gateway:s%40cret@redis.example:6380/2')).toEqual({
      host: 'redis.example',
      port: 6380,
      database: 2,
      username: 'gateway',
      password: 's@cret',
      tls: true,
      location: 'rediss://redis.example:6380/2',
    });
    expect(parseRedisStoreUrl('redis://localhost')).toMatchObject({ port: 6379, database: 0, tls: false });
  });

  it('rejects malformed URLs with one line that never repeats the password', () => {
    for (const url of [
      'not a url',
      'http://:hunter2@host/0',
      'redis://:hunter2@host/cache',
      'redis://:hunter2@/0',
    ]) {
      let message = '';
      try {
        parseRedisStoreUrl(url);
      } catch (error) {
        expect(error).toMatchObject({ code: 'store-misconfigured', isRetryable: false });
        message = (error as Error).message;
      }
      expect(message).toMatch(/^The Redis store URL .+\. Use redis:\/\//);
      expect(message).not.toContain('hunter2');
      expect(message).not.toContain('\n');
    }
  });
});

describe('parseRedisStoreUrl lock_ttl_ms', () => {
  it('reads the refresh lock lifetime from the query, and refuses a non-number', () => {
    expect(parseRedisStoreUrl('redis://127.0.0.1:6380/2?lock_ttl_ms=1500')).toMatchObject({
      lockTtlMs: 1500,
      location: 'redis://127.0.0.1:6380/2',
    });
    expect(() => parseRedisStoreUrl('redis://127.0.0.1/0?lock_ttl_ms=soon')).toThrow(/lock_ttl_ms='soon'/);
  });
});

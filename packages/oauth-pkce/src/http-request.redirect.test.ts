import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { refreshTokens } from './token-endpoint.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A server on 127.0.0.1 answering every request with `status` and `headers`; it records the requests. */
async function localServer(
  status: number,
  headers: Record<string, string> = {},
): Promise<{ origin: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    request.resume();
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(
      status === 200 ? JSON.stringify({ access_token: 'at', refresh_token: 'rt', expires_in: 60 }) : '',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe('issuer requests answered with a redirect', () => {
  it.each([301, 302, 303, 307, 308])(
    'never follow a %i redirect with the refresh token, and fail as network-error naming the target',
    async (status) => {
      const elsewhere = await localServer(200);
      const issuer = await localServer(status, { location: `${elsewhere.origin}/oauth/token?x=rt-secret` });
      const failure = await refreshTokens({ issuer: issuer.origin, refreshToken: 'rt-secret', fetch }).catch(
        (error: unknown) => error,
      );
      expect(elsewhere.requests).toHaveLength(0);
      expect(issuer.requests).toHaveLength(1);
      expect(failure).toMatchObject({ code: 'network-error', status, isRetryable: false });
      const { message } = failure as Error;
      expect(message).toContain(`${elsewhere.origin}/oauth/token`);
      expect(message).toContain('CODETETHER_AUTH_ISSUER');
      expect(message).not.toContain('rt-secret');
    },
  );
});

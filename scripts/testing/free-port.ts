// A free TCP port for a server that must be told its port instead of listening on port 0 and saying
// which it got (a command line, socat). Imported as TypeScript by Node's type stripping too
// (apps/server/bench/pacing-floor.mjs): nothing Node cannot strip, no relative imports.
import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A TCP port free on `host` right now: the one the system picks for port 0, released again. Another
 * process could take it before the server it is meant for binds it; tests and benches accept that.
 *
 * @param host - the address the server will listen on (`127.0.0.1` by default)
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

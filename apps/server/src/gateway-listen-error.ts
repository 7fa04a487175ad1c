/** Why the gateway could not listen. */
export type GatewayListenErrorCode =
  | 'address_in_use'
  | 'permission_denied'
  | 'address_unavailable'
  | 'host_not_found'
  | 'listen_failed';

/** The gateway could not listen on the host and port asked for; the message says what to do. */
export class GatewayListenError extends Error {
  /** Why. */
  readonly code: GatewayListenErrorCode;
  /** The address asked for. */
  readonly host: string;
  /** The port asked for. */
  readonly port: number;

  /**
   * @param code - why
   * @param message - what happened and what to do
   * @param where - the host and port asked for, and the system's error
   */
  constructor(
    code: GatewayListenErrorCode,
    message: string,
    where: { host: string; port: number; cause: unknown },
  ) {
    super(message, { cause: where.cause });
    this.name = 'GatewayListenError';
    this.code = code;
    this.host = where.host;
    this.port = where.port;
  }
}

/**
 * The {@link GatewayListenError} for the error `listen` failed with: the port taken, a port below 1024
 * without the right, an address this machine does not have, or a name that does not resolve.
 *
 * @param error - what `server.listen` emitted
 * @param host - the address asked for
 * @param port - the port asked for
 */
export function gatewayListenError(error: unknown, host: string, port: number): GatewayListenError {
  const systemCode = (error as { code?: unknown } | null)?.code;
  const where = { host, port, cause: error };
  switch (systemCode) {
    case 'EADDRINUSE':
      return new GatewayListenError(
        'address_in_use',
        `Port ${port} on ${host} is already in use (another gateway or program listens there). Stop it, or choose another port with --port (0 picks a free one).`,
        where,
      );
    case 'EACCES':
    case 'EPERM':
      return new GatewayListenError(
        'permission_denied',
        `Not allowed to listen on port ${port} of ${host}${port < 1024 ? ' (ports below 1024 need extra rights)' : ''}. Choose a port from 1024 up with --port, e.g. the default 8787.`,
        where,
      );
    case 'EADDRNOTAVAIL':
      return new GatewayListenError(
        'address_unavailable',
        `${host} is not an address of this machine, so the gateway cannot listen on it. Use one of its addresses with --host (127.0.0.1 for this machine only, 0.0.0.0 for all).`,
        where,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return new GatewayListenError(
        'host_not_found',
        `The host name ${host} does not resolve to an address, so the gateway cannot listen on it. Check --host (or CODETETHER_SERVER_HOST), or give an IP address.`,
        where,
      );
    default:
      return new GatewayListenError(
        'listen_failed',
        `Could not listen on ${host} port ${port}: ${error instanceof Error ? error.message : String(error)}.`,
        where,
      );
  }
}

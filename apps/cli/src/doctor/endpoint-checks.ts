import { type DoctorCheck, failed, messageOf, passed, skipped } from './doctor-check.js';

/** An endpoint the doctor tries to reach. */
export interface Endpoint {
  /** `OAuth issuer`, `ChatGPT backend`, `OpenAI API`. */
  label: string;
  /** The base URL. */
  url: string;
  /** The setting that changes it (named in the fix). */
  setting: string;
}

/** The reachability check of one endpoint, and the server's clock when it answered. */
export interface EndpointFinding {
  /** The endpoint's line. */
  check: DoctorCheck;
  /** The server's `Date` header (epoch ms) and when the answer arrived, for the clock check. */
  serverClock?: { serverTime: number; receivedAt: number };
}

/** How long an endpoint may take to answer. */
export const ENDPOINT_TIMEOUT_MS = 5_000;
/** The clock may be off by this much before tokens and rate-limit windows go wrong. */
export const MAXIMUM_CLOCK_SKEW_MS = 2 * 60 * 1000;

/** The first error code (`ECONNREFUSED`…) along the causes of a failed `fetch`, else the innermost message. */
function reasonOf(error: unknown): string {
  let current: unknown = error;
  let innermost = messageOf(error);
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (current.name === 'TimeoutError') return `no answer within ${ENDPOINT_TIMEOUT_MS / 1000} s`;
    innermost = messageOf(current);
    current = current.cause;
  }
  return innermost;
}

/**
 * Sends `GET <url>` with a short timeout. Any HTTP answer means the endpoint is reachable.
 *
 * @param endpoint - what to reach
 * @param now - the clock (for the latency and the clock check)
 * @param fetchFunction - `fetch`
 */
export async function checkEndpoint(
  endpoint: Endpoint,
  now: () => number,
  fetchFunction: typeof fetch = fetch,
): Promise<EndpointFinding> {
  const name = `Reach ${endpoint.label}`;
  const started = performance.now();
  try {
    const response = await fetchFunction(endpoint.url, {
      method: 'GET',
      redirect: 'manual',
      signal: AbortSignal.timeout(ENDPOINT_TIMEOUT_MS),
    });
    await response.body?.cancel().catch(() => {});
    const elapsed = Math.round(performance.now() - started);
    const check = passed(name, `${endpoint.url} (HTTP ${response.status}, ${elapsed} ms)`);
    const date = Date.parse(response.headers.get('date') ?? '');
    return Number.isNaN(date) ? { check } : { check, serverClock: { serverTime: date, receivedAt: now() } };
  } catch (error) {
    return {
      check: failed(
        name,
        `${endpoint.url} cannot be reached (${reasonOf(error)})`,
        `Check your network connection (and proxy), and ${endpoint.setting}.`,
      ),
    };
  }
}

/**
 * Compares the local clock with a server's `Date` header (second precision, so up to a second or
 * two of difference is noise).
 *
 * @param serverClock - the server's time and when it was received, if any endpoint answered with one
 */
export function checkClockSkew(serverClock: EndpointFinding['serverClock']): DoctorCheck {
  const name = 'Clock';
  if (serverClock === undefined) return skipped(name, 'no server answered with a Date header');
  const skew = serverClock.receivedAt - serverClock.serverTime;
  const seconds = Math.round(Math.abs(skew) / 1000);
  const direction = skew > 0 ? 'ahead of' : 'behind';
  if (Math.abs(skew) > MAXIMUM_CLOCK_SKEW_MS) {
    return failed(
      name,
      `this computer's clock is ${seconds} s ${direction} the server's`,
      'Turn on automatic time sync (e.g. `sudo timedatectl set-ntp true`, or your OS date & time settings).',
    );
  }
  return passed(
    name,
    seconds <= 2 ? "in step with the server's" : `${seconds} s ${direction} the server's (fine)`,
  );
}

/// <reference types="node" />
// The parser in a real browser: the package entry bundled for the browser (esbuild) runs in headless
// Chromium under a strict Content-Security-Policy (no eval), parsing a `fetch` stream from a local
// server. Runs in the Node project only (it drives a browser); Debian's `chromium` package provides
// the browser (`.ci/run` installs it), or set CHROMIUM_PATH.

import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { generateMixedEvents, toSseText } from '../bench/stream-generator.mjs';
import { referenceParse } from './__fixtures__/reference-parser.js';

const CANDIDATE_EXECUTABLES = [
  process.env.CHROMIUM_PATH,
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];
const executable = CANDIDATE_EXECUTABLES.find(
  (path) => path !== undefined && path !== '' && existsSync(path),
);

/** Script-only policy: no inline script, no eval, nothing fetched but from this server. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; connect-src 'self'";
const TEST_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 20_000;

const PAGE = `<!doctype html><meta charset="utf-8"><title>parser</title><script type="module" src="/app.js"></script>`;

/**
 * The page's script: checks that eval is refused, reads `/stream` with `fetch` and the parser, and
 * posts the chunks (or what went wrong) back to the server.
 */
const APP = `
import { createResponsesSseParser } from '/parser.js';
const violations = [];
document.addEventListener('securitypolicyviolation', (event) => violations.push(event.violatedDirective));
let evalRefused = false;
try { new Function('return 1')(); } catch { evalRefused = true; }
const report = (result) => fetch('/result', { method: 'POST', body: JSON.stringify(result) });
try {
  const parser = createResponsesSseParser();
  const response = await fetch('/stream');
  const reader = response.body.getReader();
  const chunks = [];
  let reads = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    reads += 1;
    // The server holds the rest of the stream until the page has read its first piece.
    if (reads === 1) void fetch('/continue', { method: 'POST' });
    chunks.push(...parser.feed(value));
  }
  chunks.push(...parser.end());
  await report({ chunks, reads, evalRefused, violations, userAgent: navigator.userAgent });
} catch (error) {
  await report({ error: String(error && error.stack || error), evalRefused, violations });
}
`;

interface PageResult {
  chunks?: unknown[];
  reads?: number;
  evalRefused: boolean;
  violations: string[];
  userAgent?: string;
  error?: string;
}

async function bundleParser(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Serves the page, the bundle and the stream (in small pieces, with pauses); resolves the posted result. */
function startServer(
  bundle: string,
  stream: Uint8Array,
): Promise<{ server: Server; url: string; result: Promise<PageResult> }> {
  let resolveResult: (result: PageResult) => void = () => {};
  let resolveFirstRead: () => void = () => {};
  const firstRead = new Promise<void>((resolve) => {
    resolveFirstRead = resolve;
  });
  const result = new Promise<PageResult>((resolve) => {
    resolveResult = resolve;
  });
  const send = (response: ServerResponse, type: string, body: string) => {
    response.writeHead(200, { 'content-type': type, 'content-security-policy': CONTENT_SECURITY_POLICY });
    response.end(body);
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url === '/') send(response, 'text/html; charset=utf-8', PAGE);
    else if (request.url === '/app.js') send(response, 'text/javascript', APP);
    else if (request.url === '/parser.js') send(response, 'text/javascript', bundle);
    else if (request.url === '/stream') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      void (async () => {
        // Uneven pieces (cutting characters and lines anywhere), with pauses so the browser reads many;
        // after the first piece, nothing more until the page says it read it (so reads > 1, always).
        for (let offset = 0, index = 0; offset < stream.length; index += 1) {
          const size = [977, 64, 16_384, 5, 4096][index % 5]!;
          response.write(stream.subarray(offset, offset + size));
          offset += size;
          if (index === 0) await firstRead;
          else if (index % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
        }
        response.end();
      })();
    } else if (request.url === '/continue' && request.method === 'POST') {
      response.writeHead(204).end();
      resolveFirstRead();
    } else if (request.url === '/result' && request.method === 'POST') {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (piece: string) => {
        body += piece;
      });
      request.on('end', () => {
        response.writeHead(204).end();
        resolveResult(JSON.parse(body) as PageResult);
      });
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/`, result });
    });
  });
}

function withTimeout<Value>(promise: Promise<Value>, what: string): Promise<Value> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took longer than ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('the parser in headless Chromium', () => {
  let browser: Browser | undefined;
  let server: Server | undefined;
  afterAll(async () => {
    await browser?.close().catch(() => {});
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  const name = executable
    ? 'parses a fetch stream from a local server under a no-eval Content-Security-Policy'
    : 'parses a fetch stream in Chromium — SKIPPED: no Chromium found (install Debian’s `chromium` package, as .ci/run does, or set CHROMIUM_PATH)';
  it.skipIf(executable === undefined)(
    name,
    async () => {
      const stream = new TextEncoder().encode(toSseText(generateMixedEvents()));
      const expected = referenceParse([stream]);
      const started = await startServer(await bundleParser(), stream);
      server = started.server;
      browser = await chromium.launch({
        executablePath: executable!,
        headless: true,
        timeout: STEP_TIMEOUT_MS,
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      });
      const page = await browser.newPage();
      page.setDefaultTimeout(STEP_TIMEOUT_MS);
      await page.goto(started.url);
      const result = await withTimeout(started.result, 'the page');
      expect(result.error).toBeUndefined();
      expect(result.evalRefused).toBe(true);
      expect(result.violations.every((directive) => directive.startsWith('script-src'))).toBe(true);
      expect(result.userAgent).toMatch(/Chrom/);
      expect(result.reads).toBeGreaterThan(1);
      expect(result.chunks).toEqual(expected);
    },
    TEST_TIMEOUT_MS,
  );
});

import type { ServerResponse } from 'node:http';
import type { CallbackReply } from './callback-request.js';
import { renderCallbackPage } from './html-page.js';

/**
 * Sends a page and resolves once it is written, or once the browser went away (a closed tab or a dropped
 * connection must never leave the login waiting for a write that cannot finish).
 */
function sendPage(response: ServerResponse, status: number, title: string, message: string): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed || response.writableEnded) {
      resolve();
      return;
    }
    response.once('close', () => resolve());
    response.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'close',
    });
    response.end(renderCallbackPage(title, message), () => resolve());
  });
}

/**
 * Sends a plain-text answer unless one was already started (or the connection is gone).
 *
 * @param response - the server response
 * @param status - HTTP status
 * @param text - the body
 */
export function sendPlain(response: ServerResponse, status: number, text: string): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'close',
  });
  response.end(text);
}

/**
 * Sends a {@link CallbackReply}; resolves once it is written or the browser went away.
 *
 * @param response - the server response
 * @param reply - what to answer
 */
export async function sendCallbackReply(response: ServerResponse, reply: CallbackReply): Promise<void> {
  if (reply.format === 'plain') {
    sendPlain(response, reply.status, reply.text);
    return;
  }
  await sendPage(response, reply.status, reply.title, reply.message);
}

// One streamed answer from a raw `fetch` client, shared by the gateway and store benches.

/**
 * POSTs `body` to `url` and drains the streamed answer; resolves the time to the first token (ms):
 * the first moment the text received so far matches `firstToken`.
 */
export async function streamTimeToFirstToken({ name, url, headers, body, firstToken }) {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body });
  if (response.status !== 200) throw new Error(`${name}: HTTP ${response.status} ${await response.text()}`);
  const decoder = new TextDecoder();
  let text = '';
  let ttft;
  for await (const bytes of response.body) {
    if (ttft === undefined) {
      text += decoder.decode(bytes, { stream: true });
      if (firstToken.test(text)) ttft = performance.now() - started;
    }
  }
  if (ttft === undefined) throw new Error(`${name}: no token in the stream`);
  return ttft;
}

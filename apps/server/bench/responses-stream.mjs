// One streamed `/v1/responses` answer with the openai SDK, as the bench's pacing and after-pause arms send it.

/**
 * Streams one short answer through `client` (an `OpenAI` instance) and drains it; resolves the time
 * from the request to its first text delta, ms (`undefined` when it had none).
 */
export async function streamOneResponse(client, index) {
  const start = performance.now();
  let firstToken;
  const stream = await client.responses.create({
    model: 'gpt-5.4',
    instructions: 'Bench.',
    input: [{ role: 'user', content: `hello ${index}` }],
    store: false,
    stream: true,
  });
  for await (const event of stream) {
    if (firstToken === undefined && event.type === 'response.output_text.delta')
      firstToken = performance.now() - start;
  }
  return firstToken;
}

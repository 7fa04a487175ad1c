import { z } from 'zod';
import type { GatewayError } from './openai-error.js';

/** The zod schema of Ollama's error body, the answer to every failed `/api/*` request. */
export const ollamaErrorBodySchema = z.object({
  error: z.string().describe('What happened and what to do.'),
});

/** Ollama's error body: `{"error":"<message>"}`. */
export type OllamaErrorBody = z.infer<typeof ollamaErrorBodySchema>;

/**
 * A gateway error as Ollama's error body (also the last NDJSON line of a stream that fails).
 *
 * @param error - the gateway error
 */
export function toOllamaErrorBody(error: GatewayError): OllamaErrorBody {
  return { error: error.message };
}

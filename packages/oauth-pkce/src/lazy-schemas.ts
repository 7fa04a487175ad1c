import type { z } from 'zod';

/**
 * Defines validation schemas that are built on first use: zod is imported only when a login, a token
 * refresh or a Codex CLI import actually parses a response, so loading this package (every CLI
 * command does) does not pay for it.
 *
 * @param build - builds the schemas with zod's `z`
 * @returns a function resolving to the schemas (built once)
 */
export function defineLazySchemas<T>(build: (zod: typeof z) => T): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= import('zod').then((module) => build(module.z));
    return built;
  };
}

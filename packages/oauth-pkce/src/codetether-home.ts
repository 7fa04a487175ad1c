import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Resolves CodeTether's home folder: `CODETETHER_HOME` when set (and not empty), else `~/.codetether`.
 *
 * @param env - environment variables. Default `process.env`.
 */
export function resolveCodetetherHome(env: Record<string, string | undefined> = process.env): string {
  const configured = env.CODETETHER_HOME?.trim();
  return configured ? resolve(configured) : join(homedir(), '.codetether');
}

/**
 * Resolves the official Codex CLI's home folder: `CODEX_HOME` when set, else `~/.codex`.
 *
 * @param env - environment variables. Default `process.env`.
 */
export function resolveCodexHome(env: Record<string, string | undefined> = process.env): string {
  const configured = env.CODEX_HOME?.trim();
  return configured ? resolve(configured) : join(homedir(), '.codex');
}

import { readFile } from 'node:fs/promises';

/** One process of a chain, in the shape MCP clients use for stdio servers. */
export interface ChainEntry {
  command: string;
  args?: string[];
  /** Variables added to (and overriding) the parent's environment. */
  env?: Record<string, string>;
  cwd?: string;
}

/** Where a component started as part of a chain finds the rest of it (JSON of `ChainEntry[]`). */
export const CHAIN_ENV = 'SCOMP_CHAIN';

/** A chain file that cannot be used; the message says where and why. */
export class ChainConfigError extends Error {
  override name = 'ChainConfigError';
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string');
}

/**
 * Checks a chain: an ordered list of components ending in a server, given as an array or as
 * `{ "chain": [...] }`. Each entry is `{ command, args?, env?, cwd? }`.
 */
export function parseChain(value: unknown, where = 'chain'): ChainEntry[] {
  const list = Array.isArray(value) ? value : (value as { chain?: unknown } | null)?.chain;
  if (!Array.isArray(list)) throw new ChainConfigError(`${where}: expected an array of { command, args, env, cwd } or { "chain": [...] }`);
  if (list.length === 0) throw new ChainConfigError(`${where}: the chain is empty; it needs at least a server`);
  return list.map((entry: unknown, index) => {
    const at = `${where}[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new ChainConfigError(`${at}: expected an object`);
    const { command, args, env, cwd } = entry as Record<string, unknown>;
    if (typeof command !== 'string' || command === '') throw new ChainConfigError(`${at}.command: expected a non-empty string`);
    if (args !== undefined && !isStringArray(args)) throw new ChainConfigError(`${at}.args: expected an array of strings`);
    if (env !== undefined && !isStringRecord(env)) throw new ChainConfigError(`${at}.env: expected an object of strings`);
    if (cwd !== undefined && typeof cwd !== 'string') throw new ChainConfigError(`${at}.cwd: expected a string`);
    return { command, ...(args ? { args } : {}), ...(env ? { env } : {}), ...(cwd !== undefined ? { cwd } : {}) };
  });
}

export async function loadChain(path: string): Promise<ChainEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ChainConfigError(`${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ChainConfigError(`${path}: not JSON (${(error as Error).message})`);
  }
  return parseChain(json, path);
}

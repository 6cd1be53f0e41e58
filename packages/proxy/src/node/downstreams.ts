import { spawnStdioTransport, type StdioChildTransport } from '@scomp/transport-stdio';
import { webSocketTransportFactory } from '@scomp/transport-ws/node';
import type { DownstreamSource } from '../options.js';
import { CHAIN_ENV, type ChainEntry } from './chainConfig.js';

/**
 * Starts the head of `chain` as a child over stdio for each session, handing it the rest of the
 * chain in SCOMP_CHAIN. Closing the session's downstream ends the child and all it started.
 */
export function chainDownstream(chain: readonly ChainEntry[], options: { stderr?: 'inherit' | 'pipe' | 'ignore' } = {}): DownstreamSource {
  const [head, ...rest] = chain;
  if (!head) throw new TypeError('chainDownstream: the chain is empty');
  return (): Promise<StdioChildTransport> => {
    // The last entry (the server) gets no chain: it must not mistake itself for a component.
    const env: Record<string, string> = { ...head.env, [CHAIN_ENV]: rest.length > 0 ? JSON.stringify(rest) : '' };
    return spawnStdioTransport({
      command: head.command,
      ...(head.args ? { args: head.args } : {}),
      env,
      ...(head.cwd !== undefined ? { cwd: head.cwd } : {}),
      stderr: options.stderr ?? 'inherit',
    });
  };
}

/** Connects each session downstream over WebSocket. */
export function webSocketDownstream(url: string): DownstreamSource {
  return webSocketTransportFactory(url);
}

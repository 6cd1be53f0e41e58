import { isIP } from 'node:net';

/** Names every loopback listener answers to. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

export interface HostGuardOptions {
  /** The address the server listens on. */
  listenHost: string;
  /** Host names (any port) accepted besides the defaults. */
  allowedHosts?: readonly string[];
  /** Origins (`scheme://host[:port]`) accepted besides those on an allowed host. */
  allowedOrigins?: readonly string[];
}

/** Why a request was refused, for its 403 answer; undefined when it may proceed. */
export type HostCheck = (headers: { host?: string | undefined; origin?: string | undefined }) => string | undefined;

/**
 * DNS-rebinding protection: a page on `http://evil.example` whose name an attacker points at
 * 127.0.0.1 reaches a loopback server with `Host: evil.example` and `Origin: http://evil.example`.
 * On a loopback or named address only that address and the loopback names pass (plus
 * `allowedHosts`); an `Origin`, when a browser sends one, must be on an allowed host or in
 * `allowedOrigins`. A wildcard address
 * (`0.0.0.0`, `::`) serves names it cannot know, so there the Host is checked only against
 * `allowedHosts` when given, and an Origin must match the Host it was sent to.
 */
export function hostGuard(options: HostGuardOptions): HostCheck {
  const extra = (options.allowedHosts ?? []).map(normalHost);
  const listen = normalHost(options.listenHost);
  const wildcard = listen === '0.0.0.0' || listen === '[::]';
  const hosts: ReadonlySet<string> | undefined = wildcard
    ? extra.length > 0
      ? new Set(extra)
      : undefined
    : new Set([...LOOPBACK_HOSTS, listen, ...extra]);
  const origins = new Set((options.allowedOrigins ?? []).map((origin) => origin.toLowerCase().replace(/\/+$/, '')));
  const hint = 'allow it with --allowed-hosts (allowedHosts)';
  return ({ host, origin }) => {
    const hostName = host === undefined ? undefined : hostOf(host);
    if (hosts !== undefined && (hostName === undefined || !hosts.has(hostName))) {
      return `Host "${host ?? ''}" is not allowed (DNS rebinding protection): ${hint}`;
    }
    if (origin === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return `Origin "${origin}" is not allowed (DNS rebinding protection)`;
    }
    const originHost = normalHost(parsed.hostname);
    if (origins.has(parsed.origin.toLowerCase())) return undefined;
    if (hosts !== undefined ? hosts.has(originHost) : originHost === hostName) return undefined;
    return `Origin "${origin}" is not allowed (DNS rebinding protection): allow it with --allowed-origins (allowedOrigins)`;
  };
}

/** The host name of a Host header, lower-cased, without its port (IPv6 kept in brackets). */
function hostOf(header: string): string | undefined {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::\d+)?$/.exec(header.trim());
  return match ? normalHost(match[1]!) : undefined;
}

function normalHost(name: string): string {
  const lower = name.trim().toLowerCase();
  return isIP(lower) === 6 ? `[${lower}]` : lower;
}

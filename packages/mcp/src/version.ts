import { createRequire } from 'node:module';

/** This package's version, sent as client and server info in the MCP handshake. */
export const PACKAGE_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

import { describe, expect, it } from 'vitest';
import {
  BINDING_NAME_PATTERN,
  ErrorCode,
  errorCodeName,
  isCompatibleVersion,
  LIMIT_KINDS,
  Method,
  PROTOCOL_VERSION,
  STANDARD_EFFECTS,
  TERMINAL_HANDSHAKE_CODES,
} from '../src/index.js';
import { readSpec } from './specFiles.js';

const codes = Object.values(ErrorCode);

describe('error codes', () => {
  it('are unique', () => {
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('lie in the range JSON-RPC reserves', () => {
    for (const code of codes) {
      expect(code).toBeGreaterThanOrEqual(-32768);
      expect(code).toBeLessThanOrEqual(-32000);
    }
  });

  it('map back to their names', () => {
    for (const [name, code] of Object.entries(ErrorCode)) expect(errorCodeName(code)).toBe(name);
    expect(errorCodeName(-1)).toBeUndefined();
    expect(errorCodeName(-32099)).toBeUndefined();
  });

  it('list as terminal exactly the handshake answers PROTOCOL.md lists', () => {
    const sentence = /answers a failed\s+handshake only with these codes: ([^.]+)\./.exec(readSpec())?.[1] ?? '';
    const names = sentence.split(/,\s*/).map((name) => name.trim());
    expect(names.length).toBeGreaterThan(4);
    expect([...TERMINAL_HANDSHAKE_CODES].sort()).toEqual(names.map((name) => ErrorCode[name as keyof typeof ErrorCode]).sort());
  });

  it('appear in PROTOCOL.md exactly as in the table', () => {
    const rows = [...readSpec().matchAll(/^\| (-32\d{3}) \| (\w+) +\|/gm)].map(([, code, name]) => [name, Number(code)]);
    expect(Object.fromEntries(rows)).toEqual(ErrorCode);
    expect(rows.length).toBe(codes.length);
  });

  it('name every limit kind in PROTOCOL.md', () => {
    const kinds = [...readSpec().matchAll(/^\| `(\w+)` +\| .+\| (?:ms|bytes|count) +\|$/gm)].map(([, kind]) => kind);
    expect(kinds).toEqual([...LIMIT_KINDS]);
  });
});

describe('isCompatibleVersion', () => {
  it('requires an exact match before 1.0', () => {
    expect(isCompatibleVersion(PROTOCOL_VERSION, '0.1')).toBe(true);
    expect(isCompatibleVersion('0.1', '0.2')).toBe(false);
    expect(isCompatibleVersion('0.2', '0.1')).toBe(false);
  });

  it('requires equal majors from 1.0 on', () => {
    expect(isCompatibleVersion('1.0', '1.3')).toBe(true);
    expect(isCompatibleVersion('1.2', '2.2')).toBe(false);
    expect(isCompatibleVersion('0.1', '1.1')).toBe(false);
  });
});

describe('PROTOCOL.md tables', () => {
  const spec = readSpec();

  it('give the binding name pattern verbatim', () => {
    expect(spec).toContain(`\`${BINDING_NAME_PATTERN}\``);
  });

  it('list the standard effects', () => {
    const section = spec.slice(spec.indexOf('### 11.4'), spec.indexOf('### 11.5'));
    const effects = [...section.matchAll(/^\| `([a-z]+)` +\| [A-Z]/gm)].map(([, effect]) => effect);
    expect(effects).toEqual([...STANDARD_EFFECTS]);
  });

  it('list every method', () => {
    const methods = [...spec.matchAll(/^\| `(\w+)` +\| (?:client → server|either) /gm)].map(([, method]) => method);
    expect(methods).toEqual(Object.values(Method));
  });
});

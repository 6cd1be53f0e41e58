import { readdirSync, readFileSync } from 'node:fs';
import { SPEC_DIR } from '../scripts/specExamples.mjs';

export interface Fixture {
  name: string;
  title: string;
  messages: Array<{ from: 'client' | 'server'; message: unknown }>;
}

/** Every wire example in spec/examples/, by file name without `.json`. */
export function loadFixtures(): Fixture[] {
  return readdirSync(`${SPEC_DIR}examples`)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: file.slice(0, -'.json'.length),
      ...(JSON.parse(readFileSync(`${SPEC_DIR}examples/${file}`, 'utf8')) as Omit<Fixture, 'name'>),
    }));
}

export function readSpec(): string {
  return readFileSync(`${SPEC_DIR}PROTOCOL.md`, 'utf8');
}

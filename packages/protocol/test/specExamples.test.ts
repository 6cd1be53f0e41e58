import { describe, expect, it } from 'vitest';
import { extractJsonBlocks } from '../scripts/specExamples.mjs';
import { loadFixtures, readSpec } from './specFiles.js';

const blocks = extractJsonBlocks(readSpec());
const fixtures = new Map(loadFixtures().map((fixture) => [fixture.name, fixture]));

describe('PROTOCOL.md examples', () => {
  it('tags every json block with the fixture it shows', () => {
    const untagged = blocks.filter((block) => block.name === null).map((block) => `line ${block.line}`);
    expect(untagged).toEqual([]);
  });

  it('shows every fixture', () => {
    const shown = new Set(blocks.map((block) => block.name));
    expect([...fixtures.keys()].filter((name) => !shown.has(name))).toEqual([]);
  });

  it.each(blocks.filter((block) => block.name !== null))('example $name (line $line) equals its fixture', (block) => {
    const fixture = fixtures.get(block.name!);
    expect(fixture, `spec/examples/${block.name}.json is missing`).toBeDefined();
    expect(JSON.parse(block.text)).toEqual(fixture!.messages);
  });
});

import { describe, expect, it } from 'vitest';
import * as agentLoop from '../agent-loop/main.js';
import * as composing from '../composing/main.js';
import * as functionRefs from '../function-refs/main.js';
import * as mcpCodeMode from '../mcp-code-mode/main.js';
import * as progress from '../progress/main.js';
import * as resume from '../resume/main.js';
import * as stdio from '../stdio/main.js';

const examples = { composing, progress, functionRefs, resume, stdio, agentLoop, mcpCodeMode };

// Each example asserts its own outcome; here it only has to finish and say what it did.
describe('examples', () => {
  for (const [name, example] of Object.entries(examples)) {
    // Generous: the stdio example starts a second Node process that compiles TypeScript.
    it(`${name} runs and checks its own outcome`, { timeout: 60_000 }, async () => {
      const lines: string[] = [];
      await example.run((line) => lines.push(line));
      expect(lines.length).toBeGreaterThan(0);
    });
  }
});

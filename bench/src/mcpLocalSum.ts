/**
 * A stand-in for server-everything's get-sum that answers in this process, loaded by scomp-mcp
 * with --bindings: an eval calling it costs what an eval calling the real tool costs, less the MCP
 * round trips, which is the floor under the code-mode row.
 */
import { defineBinding } from '@scomp/peer';
import Type from 'typebox';

export default defineBinding({
  name: 'everything.get_sum',
  input: Type.Object({ a: Type.Number(), b: Type.Number() }),
  handler: ({ a, b }) => `The sum of ${a} and ${b} is ${a + b}.`,
});

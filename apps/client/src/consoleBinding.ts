import { inspect } from 'node:util';
import Type from 'typebox';
import { defineBinding, type Binding } from '@scomp/peer';

/**
 * The reserved `console` client binding: the runtime routes `console.log/info/warn/error/debug`
 * of evaluated code here. Each call is printed as one `[level] …` line.
 */
export function consoleBinding(write: (text: string) => void): Binding {
  return defineBinding({
    name: 'console',
    description: 'Prints the console output of evaluated code on the client.',
    input: Type.Object({
      level: Type.String({ description: 'log, info, warn, error or debug' }),
      args: Type.Array(Type.Unknown()),
    }),
    effects: ['external'],
    handler: ({ level, args }) => {
      const text = args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 6, breakLength: 100 }))).join(' ');
      write(`[${level}] ${text}\n`);
    },
  });
}

import type { InstanceStats } from '../inlineSessions.js';
import type { Message } from './channel.js';
import type { Carried } from './operations.js';

/**
 * Results longer than this (in UTF-16 units) cross as a cloned object: joined to a header, their
 * text would be copied once more on the sending side before the clone copies it again.
 * @default 65536
 */
export const COMPACT_RESULT_MAX_CHARS = 64 * 1024;

/**
 * The messages of every binding or function call (the request, and a reply that is a value
 * without functions) and of every eval (its request, and a reply whose value holds no functions)
 * travel as one string: `postMessage` clones a string for a fraction of what a few nested objects
 * cost (about 2 us against 8 us per message, measured with `structuredClone`), and a call sends
 * two. The JSON text of the value (or the eval's code) comes last, as it is. `replyTo` is the
 * operation a reply answers.
 */
export function compact(message: Message, replyTo?: string): Message | string {
  if (message.t === 'res') {
    if (message.error) return message;
    if (replyTo === 'eval') return compactEvalReply(message);
    if (replyTo !== 'binding' && replyTo !== 'call') return message;
    const body = message.body as Carried | undefined;
    if (body === undefined) return `R${message.id}`;
    return isTextOnly(body) ? `R${message.id}\n${body.json}` : message;
  }
  if (message.t !== 'req') return message;
  if (message.op === 'binding') {
    const { session, kind, name, args, signal } = message.body as BindingBody;
    if (name.includes('\n') || (args !== undefined && !isTextOnly(args))) return message;
    return `B${message.id}\n${session}\n${kind === 'server' ? 's' : 'c'}\n${signal}\n${name}${args === undefined ? '' : `\n${args.json}`}`;
  }
  if (message.op === 'call') {
    const { fn, args } = message.body as { fn: number; args?: Carried | undefined };
    if (args !== undefined && !isTextOnly(args)) return message;
    return `C${message.id}\n${fn}${args === undefined ? '' : `\n${args.json}`}`;
  }
  if (message.op === 'eval') {
    const { session, code, timeoutMs } = message.body as EvalBody;
    if (code.length > COMPACT_RESULT_MAX_CHARS) return message;
    return `E${message.id}\n${session}\n${timeoutMs ?? ''}\n${code}`;
  }
  return message;
}

function compactEvalReply(message: Extract<Message, { t: 'res' }>): Message | string {
  const { value, instances } = message.body as EvalReply;
  if (value !== undefined && (!isTextOnly(value) || value.json.length > COMPACT_RESULT_MAX_CHARS)) return message;
  const id = message.id;
  const { modules, brokenModules, sessions, spareVms, memoryBytes } = instances;
  return `V${id}\n${modules}\n${brokenModules}\n${sessions}\n${spareVms}\n${memoryBytes}${value === undefined ? '' : `\n${value.json}`}`;
}

/** The message `compact` made `text` from. */
export function expand(text: string): Message {
  const kind = text[0];
  const fields = splitFields(text.slice(1), fieldCount(kind));
  const id = Number(fields[0]);
  const rest = fields.length > fieldCount(kind) ? fields[fields.length - 1]! : undefined;
  const args = rest === undefined ? undefined : { json: rest };
  if (kind === 'R') return { t: 'res', id, body: args };
  if (kind === 'C') return { t: 'req', id, op: 'call', body: args === undefined ? { fn: Number(fields[1]) } : { fn: Number(fields[1]), args } };
  if (kind === 'E') {
    const body: EvalBody = { session: Number(fields[1]), code: rest ?? '' };
    if (fields[2] !== '') body.timeoutMs = Number(fields[2]);
    return { t: 'req', id, op: 'eval', body };
  }
  if (kind === 'V') {
    const [modules, brokenModules, sessions, spareVms, memoryBytes] = fields.slice(1, 6).map(Number) as [number, number, number, number, number];
    const reply: EvalReply = { value: args, instances: { modules, brokenModules, sessions, spareVms, memoryBytes } };
    return { t: 'res', id, body: reply };
  }
  const body: BindingBody = { session: Number(fields[1]), kind: fields[2] === 's' ? 'server' : 'client', name: fields[4]!, args, signal: Number(fields[3]) };
  return { t: 'req', id, op: 'binding', body };
}

interface BindingBody {
  session: number;
  kind: 'server' | 'client';
  name: string;
  args: Carried | undefined;
  signal: number;
}

interface EvalBody {
  session: number;
  code: string;
  timeoutMs?: number;
}

interface EvalReply {
  value: Carried | undefined;
  instances: InstanceStats;
}

/** Fixed fields before the optional last one (the value's text, or the eval's code). */
function fieldCount(kind: string | undefined): number {
  switch (kind) {
    case 'B':
      return 5;
    case 'C':
      return 2;
    case 'E':
      return 3;
    case 'V':
      return 6;
    default:
      return 1;
  }
}

/** A carried value that is JSON text alone (no functions): the only kind sent compact. */
function isTextOnly(carried: Carried): carried is { json: string } {
  return carried.json !== undefined && carried.fns === undefined && carried.paths === undefined;
}

/** `count` fields separated by newlines, then (if any text is left) the rest as one more field. */
function splitFields(text: string, count: number): string[] {
  const fields: string[] = [];
  let start = 0;
  for (let index = 0; index < count; index++) {
    const end = text.indexOf('\n', start);
    if (end === -1) {
      fields.push(text.slice(start));
      return fields;
    }
    fields.push(text.slice(start, end));
    start = end + 1;
  }
  fields.push(text.slice(start));
  return fields;
}

import type { JsonRpcError, JsonRpcNotification, JsonRpcRequest, JsonRpcSuccess } from './jsonrpc.js';
import { validators } from './validators.js';

/**
 * An inbound message sorted by shape, or the reason it is not a valid JSON-RPC 2.0 message with
 * the id to answer it with (`null` when it has none that can safely be echoed).
 */
export type ClassifiedMessage =
  | { kind: 'request'; message: JsonRpcRequest }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'success'; message: JsonRpcSuccess }
  | { kind: 'error'; message: JsonRpcError }
  | { kind: 'invalid'; id: string | number | null; reason: string };

/** Sorts a parsed JSON value into the JSON-RPC message kinds. Batches (arrays) are invalid in scomp. */
export function classifyMessage(value: unknown): ClassifiedMessage {
  if (validators.request.check(value)) return { kind: 'request', message: value };
  if (validators.notification.check(value)) return { kind: 'notification', message: value };
  if (validators.success.check(value)) return { kind: 'success', message: value };
  if (validators.error.check(value)) return { kind: 'error', message: value };
  return { kind: 'invalid', id: recoverId(value), reason: describeInvalid(value) };
}

/**
 * The id to answer an invalid message with. Only a message with a `method` is a request of the
 * sender's; a malformed response's id belongs to the receiver's own requests, so it gets `null`.
 */
function recoverId(value: unknown): string | number | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('method' in value)) return null;
  const id = (value as { id?: unknown }).id;
  return (typeof id === 'string' && id.length <= 256) || (typeof id === 'number' && Number.isInteger(id)) ? id : null;
}

function describeInvalid(value: unknown): string {
  if (Array.isArray(value)) return 'batches are not supported';
  if (typeof value !== 'object' || value === null) return 'a message must be a JSON object';
  const record = value as Record<string, unknown>;
  if (record.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  if ('method' in record) {
    const issue = validators.request.issues(value, 1)[0] ?? validators.notification.issues(value, 1)[0];
    return issue ? `invalid request at ${issue.path}: ${issue.message}` : 'invalid request';
  }
  return 'not a request, notification or response';
}

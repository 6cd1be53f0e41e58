import { PROTOCOL_VERSION } from '@scomp/protocol';

/** A handshake just under `maxBytes` declaring as many client bindings with 128-part dotted names as fit. */
export function hostileHandshake(maxBytes: number): string {
  const head = `{"jsonrpc":"2.0","id":1,"method":"handshake","params":{"protocol":"${PROTOCOL_VERSION}","bindings":[`;
  const tail = ']}}';
  const parts = Array.from({ length: 127 }, (_, i) => `p${i}`).join('.');
  const bindings: string[] = [];
  let size = head.length + tail.length;
  for (let i = 0; ; i++) {
    const binding = `{"name":"b${i}.${parts}","input":{}}`;
    if (size + binding.length + 1 > maxBytes) break;
    bindings.push(binding);
    size += binding.length + 1;
  }
  return head + bindings.join(',') + tail;
}

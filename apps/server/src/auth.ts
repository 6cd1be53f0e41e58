import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError, type Principal } from '@scomp/peer';

/**
 * An `authenticate` hook that accepts clients whose handshake `metadata.token` equals `token`.
 * Both sides are hashed first so the comparison takes the same time whatever the lengths.
 */
export function tokenAuthenticator(token: string): (metadata: Record<string, unknown>) => Principal {
  const expected = digest(token);
  return (metadata) => {
    const given = metadata.token;
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      throw new UnauthorizedError('missing or wrong token');
    }
    return { id: 'token' };
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

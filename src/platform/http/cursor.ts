/**
 * Opaque pagination cursors, signed and bound to the scope that issued them
 * (a municipality, or the control plane) and to the listing. A cursor from
 * another municipality or another listing is refused like a forged one, so a
 * cursor can neither carry nor reveal anything across tenants.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Problem } from '../errors.js';

export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(scope: string, listing: string, position: unknown): string {
    const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${payload}.${this.sign(scope, listing, payload)}`;
  }

  decode<T>(scope: string, listing: string, cursor: string): T {
    const [payload, signature, extra] = cursor.split('.');
    if (!payload || !signature || extra !== undefined) throw new Problem('invalid_cursor');
    const expected = Buffer.from(this.sign(scope, listing, payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new Problem('invalid_cursor');
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as T;
    } catch {
      throw new Problem('invalid_cursor');
    }
  }

  private sign(scope: string, listing: string, payload: string): string {
    return createHmac('sha256', this.key).update(`${scope}\n${listing}\n${payload}`).digest('base64url').slice(0, 32);
  }
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Secret } from '../domain/secret.js';
import { HttpError } from './errors.js';

/** Checks a write request's `Authorization: Bearer <token>`; throws 403 when no token is configured, 401 when it is missing or wrong. */
export function requireBearer(req: IncomingMessage, token: Secret | undefined): void {
  if (token === undefined || token.reveal() === '') {
    throw new HttpError(
      403,
      'WRITES_DISABLED',
      'writes are disabled because no API token is configured; set http.token in the config, e.g. token: ${env:CLAWWARDEN_API_TOKEN} or token: { file: /run/credentials/clawwarden.service/api-token }, then reload',
    );
  }
  const header = req.headers.authorization;
  const m = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!m) {
    throw new HttpError(401, 'UNAUTHORIZED', 'this request needs the header Authorization: Bearer <API token>', {}, { 'WWW-Authenticate': 'Bearer realm="clawwarden"' });
  }
  // Hashing first gives equal-length buffers, so the comparison time says nothing about the token's length or content.
  const given = createHash('sha256').update(m[1]!).digest();
  const expected = createHash('sha256').update(token.reveal()).digest();
  if (!timingSafeEqual(given, expected)) {
    throw new HttpError(401, 'UNAUTHORIZED', 'the API token is wrong', {}, { 'WWW-Authenticate': 'Bearer realm="clawwarden", error="invalid_token"' });
  }
}

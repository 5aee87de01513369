/** An error the API answers with its own status and a JSON body `{ error: { code, message, ...extra } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra fields for the body (`allowed`, `outcomes`); never a secret. */
    readonly extra: Readonly<Record<string, unknown>> = {},
    /** Extra response headers (`Allow`, `WWW-Authenticate`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** 400: a parameter is unknown, missing or malformed. */
export function badRequest(message: string, extra: Readonly<Record<string, unknown>> = {}): HttpError {
  return new HttpError(400, 'BAD_REQUEST', message, extra);
}

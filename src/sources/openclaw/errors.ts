/** An error from the OpenClaw gateway or the way to it; `code` is the gateway's detail code when it gave one. */
export class OpenClawError extends Error {
  readonly code: string;
  /** The gateway itself answered (a refusal), as opposed to a transport failure or timeout. */
  readonly fromGateway: boolean;

  constructor(code: string, message: string, fromGateway = false) {
    super(message);
    this.name = 'OpenClawError';
    this.code = code;
    this.fromGateway = fromGateway;
  }

  /** Wraps an RPC failure of `method`. */
  static from(error: unknown, method: string): OpenClawError {
    if (error instanceof OpenClawError) return error;
    const code = errorCode(error) ?? 'REQUEST_FAILED';
    const gateway = isGatewayAnswer(error);
    return new OpenClawError(code, gateway ? errorMessage(error) : `${method}: ${errorMessage(error)}`, gateway);
  }

  /** Wraps a failed connect, naming the wrong-token case plainly. */
  static connect(error: unknown, url: string): OpenClawError {
    if (error instanceof OpenClawError) return error;
    const code = detailCode(error) ?? errorCode(error) ?? 'CONNECT_FAILED';
    if (code === 'AUTH_TOKEN_MISMATCH') {
      return new OpenClawError(
        code,
        `the OpenClaw gateway at ${url} rejected the token (AUTH_TOKEN_MISMATCH): check the token (--token, OPENCLAW_GATEWAY_TOKEN or the source's token) against gateway.auth.token`,
        true,
      );
    }
    if (code === 'AUTH_TOKEN_MISSING') {
      return new OpenClawError(code, `the OpenClaw gateway at ${url} requires a token (AUTH_TOKEN_MISSING): give --token, OPENCLAW_GATEWAY_TOKEN or the source's token`, true);
    }
    const message = errorMessage(error);
    if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|connect/i.test(message) && !isGatewayAnswer(error)) {
      return new OpenClawError('GATEWAY_UNREACHABLE', `cannot reach the OpenClaw gateway at ${url}: ${message}`);
    }
    return new OpenClawError(code, `the OpenClaw gateway at ${url} refused the connection (${code}): ${message}`, isGatewayAnswer(error));
  }
}

/** The gateway's detail code (`details.code`, e.g. AUTH_TOKEN_MISMATCH) of a request error. */
export function detailCode(error: unknown): string | undefined {
  const details = (error as { details?: { code?: unknown } } | undefined)?.details;
  return typeof details?.code === 'string' ? details.code : undefined;
}

/** The `code` string of any error-like value. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isGatewayAnswer(error: unknown): boolean {
  return typeof (error as { gatewayCode?: unknown } | undefined)?.gatewayCode === 'string';
}

import { HttpException } from '@nestjs/common';

/**
 * An error with a FastAPI-style body `{"detail": <detail>}` and optional response headers
 * (e.g. `WWW-Authenticate`, `Retry-After`). The one exception filter renders it.
 */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly detail: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super({ detail }, status);
  }
}

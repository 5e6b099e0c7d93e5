// One error envelope for the whole API: {"error": {"code", "message", "request_id"}}, with a closed
// set of codes. Messages are ours; raw validator or runtime output is never echoed.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const ERROR_CODES = {
  bad_request: 400,
  invalid_json: 400,
  invalid_body: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  too_many_events: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  /** Seconds, sent as Retry-After on 429 and 503. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { retryAfter?: number }) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = ERROR_CODES[code];
    this.retryAfter = options?.retryAfter;
  }
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; request_id: string };
}

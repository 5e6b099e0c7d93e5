// OTLP/HTTP answers. Success: an ExportTraceServiceResponse in the request's encoding. Errors: a
// google.rpc.Status, as the OTLP spec asks, in the request's encoding. For JSON the Status also
// carries Vigil's usual envelope under "error" (Status readers ignore unknown fields), so OTLP
// exporters and people reading our API see the shape each expects.
import { google } from "./generated/otlp-trace.js";
import { encodeProtobufResponse, plainWriter } from "./decode-protobuf.ts";
import type { ErrorCode } from "../errors.ts";

export type OtlpEncoding = "protobuf" | "json";

export interface OtlpBody {
  body: string | Uint8Array<ArrayBuffer>;
  contentType: string;
}

export const PROTOBUF = "application/x-protobuf";
export const JSON_TYPE = "application/json";

/** gRPC status codes for our HTTP errors (OTLP/HTTP reuses google.rpc.Status). */
const GRPC_CODES: Partial<Record<number, number>> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 5, // NOT_FOUND
  413: 3,
  415: 3,
  429: 8, // RESOURCE_EXHAUSTED
  503: 14, // UNAVAILABLE
};

export function successBody(encoding: OtlpEncoding, rejectedSpans: number, errorMessage: string): OtlpBody {
  if (encoding === "protobuf") return { body: encodeProtobufResponse(rejectedSpans, errorMessage), contentType: PROTOBUF };
  // int64 as a string: the proto3 JSON form, which OTLP/JSON readers accept.
  const body = rejectedSpans > 0 || errorMessage ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } } : {};
  return { body: JSON.stringify(body), contentType: JSON_TYPE };
}

export function errorBody(
  encoding: OtlpEncoding,
  status: number,
  code: ErrorCode,
  message: string,
  requestId: string,
): OtlpBody {
  const grpc = GRPC_CODES[status] ?? 13; // INTERNAL
  if (encoding === "protobuf") {
    return { body: google.rpc.Status.encode({ code: grpc, message }, plainWriter()).finish() as Uint8Array<ArrayBuffer>, contentType: PROTOBUF };
  }
  return { body: JSON.stringify({ code: grpc, message, error: { code, message, request_id: requestId } }), contentType: JSON_TYPE };
}

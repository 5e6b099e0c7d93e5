// Reads a request body under the ingest limits (spec 4): JSON only, identity or gzip encoding,
// at most 1 MiB after decompression. Streams, so an oversized or gzip-bomb body is cut off early.
import { ApiError } from "../errors.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

export interface BodyOptions {
  /** Accepted media types (without parameters). */
  mediaTypes: readonly string[];
}

export interface RawBody {
  bytes: Uint8Array;
  mediaType: string;
}

export async function readBody(request: Request, options: BodyOptions): Promise<RawBody> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!options.mediaTypes.includes(mediaType)) {
    throw new ApiError("unsupported_media_type", `Content-Type must be ${options.mediaTypes.join(" or ")}.`);
  }
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip") {
    throw new ApiError("unsupported_media_type", "Content-Encoding must be gzip or absent.");
  }
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    throw new ApiError("payload_too_large", `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  if (!request.body) return { bytes: new Uint8Array(0), mediaType };
  // A plain body of a declared length within the limit is read in one native call: streaming it
  // chunk by chunk through JavaScript cost about a millisecond per 100 KB.
  if (encoding === "identity" && Number.isFinite(declared)) {
    try {
      return { bytes: new Uint8Array(await request.arrayBuffer()), mediaType };
    } catch {
      throw new ApiError("invalid_body", "The body could not be read.");
    }
  }
  const stream = encoding === "gzip" ? request.body.pipeThrough(new DecompressionStream("gzip")) : request.body;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_BODY_BYTES) {
        await reader.cancel();
        throw new ApiError("payload_too_large", `The body is larger than ${MAX_BODY_BYTES} bytes after decompression.`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError("invalid_body", "The body could not be read; if it is gzip, it is not valid gzip.");
  }
  if (chunks.length === 1) return { bytes: chunks[0]!, mediaType };
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, mediaType };
}

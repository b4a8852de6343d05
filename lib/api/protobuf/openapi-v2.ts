// OpenAPI v2 in gnostic's protobuf form (openapi_v2.Document), the only encoding kubectl accepts for
// /openapi/v2. kubectl reads it to validate the items of a `kind: List` client-side; it skips validation of
// kinds the document does not define, and the server validates every item anyway (fieldValidation=Strict),
// so the document carries the header fields alone.

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** A length-delimited field (strings and embedded messages share wire type 2). */
function field(no: number, payload: Uint8Array): number[] {
  return [...varint((no << 3) | 2), ...varint(payload.length), ...payload];
}

const utf8 = new TextEncoder();

export function openapiV2Protobuf(doc: {
  swagger: string;
  info: { title: string; version: string };
}): Uint8Array {
  // Document: swagger = 1, info = 2; Info: title = 1, version = 2.
  const info = new Uint8Array([
    ...field(1, utf8.encode(doc.info.title)),
    ...field(2, utf8.encode(doc.info.version)),
  ]);
  return new Uint8Array([...field(1, utf8.encode(doc.swagger)), ...field(2, info)]);
}

export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

// Protocol Buffers wire-format reading, just enough to decode Kubernetes' protobuf request bodies.

export interface WireField {
  no: number;
  type: 0 | 1 | 2 | 5;
  varint?: bigint;
  bytes?: Uint8Array;
}

export class ProtoError extends Error {}

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new ProtoError("truncated varint");
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
    if (shift > 70n) throw new ProtoError("varint too long");
  }
}

export function readFields(buf: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos);
    pos = p1;
    const no = Number(tag >> 3n);
    const type = Number(tag & 7n);
    if (type === 0) {
      const [v, p2] = readVarint(buf, pos);
      pos = p2;
      out.push({ no, type: 0, varint: v });
    } else if (type === 2) {
      const [len, p2] = readVarint(buf, pos);
      const end = p2 + Number(len);
      if (end > buf.length) throw new ProtoError("truncated field");
      out.push({ no, type: 2, bytes: buf.subarray(p2, end) });
      pos = end;
    } else if (type === 1) {
      out.push({ no, type: 1, bytes: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (type === 5) {
      out.push({ no, type: 5, bytes: buf.subarray(pos, pos + 4) });
      pos += 4;
    } else throw new ProtoError(`unsupported wire type ${type}`);
  }
  return out;
}

export function toSigned(v: bigint, bits: 32 | 64): number {
  return Number(BigInt.asIntN(bits, v));
}

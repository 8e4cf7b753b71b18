// NumPy .npy files (format 1.0) of little-endian int32 vectors: the token-id streams that
// `wordlens tokenize` hands to trainers elsewhere (numpy.load reads them as they are) and
// that `wordlens add-ngram` reads back. Only 1-D '<i4' arrays: nothing else is ever written.
import * as fsp from 'node:fs/promises';

const MAGIC = '\x93NUMPY';

/** The .npy bytes of a 1-D int32 array. */
export function encodeInt32Npy(values: Int32Array): Uint8Array {
  let header = `{'descr': '<i4', 'fortran_order': False, 'shape': (${values.length},), }`;
  // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + values.byteLength);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  const body = new Int32Array(values); // a copy, so a view's offset never matters
  if (!littleEndian()) throw new Error('.npy writing needs a little-endian machine');
  out.set(new Uint8Array(body.buffer), 10 + header.length);
  return out;
}

/** A 1-D int32 array from .npy bytes; anything else is refused with what was found. */
export function decodeInt32Npy(bytes: Uint8Array, where = '(.npy)'): Int32Array {
  if (bytes.length < 10 || Buffer.from(bytes.subarray(0, 6)).toString('latin1') !== MAGIC) {
    throw new Error(`${where} is not a .npy file`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = Buffer.from(bytes.subarray(start, start + headerLength)).toString('latin1');
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  const dims = shape?.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (descr !== '<i4' || fortran !== 'False' || !dims || dims.length !== 1 || !Number.isInteger(dims[0])) {
    throw new Error(`${where} holds ${descr ?? '?'} of shape (${shape ?? '?'}); expected a 1-D '<i4' (int32) array`);
  }
  const body = bytes.subarray(start + headerLength);
  if (body.byteLength !== dims[0] * 4) throw new Error(`${where} is truncated: ${body.byteLength} bytes for ${dims[0]} int32 values`);
  return new Int32Array(body.slice().buffer);
}

export async function readInt32Npy(file: string): Promise<Int32Array> {
  return decodeInt32Npy(new Uint8Array(await fsp.readFile(file)), file);
}

function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

import { open } from 'node:fs/promises';
import { BundleError } from './errors.js';
import { DEFAULT_MAX_BUNDLE_BYTES } from './verify.js';

/** Reads a bundle file, refusing one over the size cap before reading it into memory. */
export async function readBundleFile(path: string, maxBytes = DEFAULT_MAX_BUNDLE_BYTES): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) {
      throw new BundleError('too-large', `${path} is ${size} bytes, more than the limit of ${maxBytes}`);
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

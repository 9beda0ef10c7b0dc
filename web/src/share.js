// The program in the URL: `#c=` + base64url(deflate-raw(source)) and `&t=` the target.
// Compression uses the browser's own CompressionStream: no library, nothing fetched.

const toB64url = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const fromB64url = (text) => {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
};

async function pipe(bytes, stream) {
  const out = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

export async function encodeHash(source, target) {
  const packed = await pipe(new TextEncoder().encode(source), new CompressionStream('deflate-raw'));
  return `#c=${toB64url(packed)}&t=${encodeURIComponent(target)}`;
}

/** `{ source, target }` from a location hash, or null if it holds no program. */
export async function decodeHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const c = params.get('c');
  if (!c) return null;
  try {
    const bytes = await pipe(fromB64url(c), new DecompressionStream('deflate-raw'));
    return { source: new TextDecoder().decode(bytes), target: params.get('t') || 'vault' };
  } catch {
    return null;
  }
}

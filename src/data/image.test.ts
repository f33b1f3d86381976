import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cli, schemaErrors } from '../../tests/unit/experiments/helpers';
import { svdJacobi } from '../linalg/jacobi';
import { Rng } from '../tensor/rng';
import { areaDownsample, areaWeights, dataUrlBytes, imageLuma, jpegLuma, loadImage } from './image';
import { IMAGE_NAMES, IMAGES, imageShape } from './images';
import { loadMatrix } from './sources';
import { MatrixSource } from './sources.schema';
import { MatrixFileError, MatrixSourceError } from './types';

const rng = () => new Rng(1);

function zodPaths(input: unknown): string {
  const r = MatrixSource.safeParse(input);
  expect(r.success, JSON.stringify(input)).toBe(false);
  return r.error ? r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : '';
}

/** σ_k / σ_0 and the relative Frobenius error of the best rank-k approximation. */
function decay(data: Float64Array, rows: number, cols: number, k: number) {
  const { S } = svdJacobi(data, rows, cols);
  let total = 0;
  let tail = 0;
  for (let i = 0; i < S.length; i++) {
    total += S[i] * S[i];
    if (i >= k) tail += S[i] * S[i];
  }
  return { ratio: S[k] / S[0], relErr: Math.sqrt(tail / total) };
}

describe('bundled images decode', () => {
  it.each(IMAGE_NAMES)('%s: the documented size, luma in [0, 1], not constant', async (name) => {
    const img = await imageLuma(name);
    expect([img.width, img.height]).toEqual([IMAGES[name].width, IMAGES[name].height]);
    expect(img.luma.length).toBe(img.width * img.height);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of img.luma) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi - lo).toBeGreaterThan(0.5);
  });

  it('decoding is deterministic (two independent decodes give identical luma)', async () => {
    const url = await IMAGES['march-pastoral'].load();
    const a = jpegLuma(dataUrlBytes(url), 'a.jpg');
    const b = jpegLuma(dataUrlBytes(url), 'b.jpg');
    expect(Buffer.from(a.luma.buffer).equals(Buffer.from(b.luma.buffer))).toBe(true);
  });

  it('luma is BT.601 of the decoded RGB (checked on a solid-colour JPEG made by the jpeg-js encoder)', async () => {
    // A solid-colour JPEG from jpeg-js's encoder at quality 100: decoded pixels are near the colour.
    const { encode } = await import('jpeg-js');
    const w = 16;
    const h = 8;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([200, 40, 10, 255], 4 * i);
    const jpg = encode({ width: w, height: h, data: rgba }, 100).data;
    const { width, height, luma } = jpegLuma(new Uint8Array(jpg), 'solid.jpg');
    expect([width, height]).toEqual([w, h]);
    const want = (0.299 * 200 + 0.587 * 40 + 0.114 * 10) / 255;
    for (const v of luma) expect(Math.abs(v - want)).toBeLessThan(3 / 255);
  });

  it('bytes that are not a JPEG → MatrixFileError naming the file', () => {
    expect(() => jpegLuma(new Uint8Array([1, 2, 3, 4, 5]), 'x.jpg')).toThrow(MatrixFileError);
    expect(() => jpegLuma(new Uint8Array([1, 2, 3, 4, 5]), 'x.jpg')).toThrow(/^x\.jpg: not a decodable JPEG/);
  });
});

describe('area-average downsampling', () => {
  it('weights of each output sum to 1 and every source cell contributes m/n in total', () => {
    for (const [n, m] of [
      [717, 128],
      [1024, 90],
      [10, 3],
      [7, 7],
      [5, 1],
    ]) {
      const ws = areaWeights(n, m);
      const per = new Float64Array(n);
      for (const { idx, w } of ws) {
        expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        idx.forEach((i, t) => {
          per[i] += w[t];
        });
      }
      for (const p of per) expect(p).toBeCloseTo(m / n, 12);
    }
  });

  it('an integer ratio is the plain block mean; size = full side is the identity', async () => {
    const img = await imageLuma('march-pastoral'); // 1024 × 498: size 512 → 249 × 512, 2×2 blocks
    const m = await loadImage('march-pastoral', { size: 512 });
    expect([m.rows, m.cols]).toEqual([249, 512]);
    let maxDiff = 0;
    for (let r = 0; r < 249; r++)
      for (let c = 0; c < 512; c++) {
        const at = (y: number, x: number) => img.luma[y * 1024 + x];
        const mean =
          (at(2 * r, 2 * c) + at(2 * r, 2 * c + 1) + at(2 * r + 1, 2 * c) + at(2 * r + 1, 2 * c + 1)) / 4;
        maxDiff = Math.max(maxDiff, Math.abs(m.data[r * 512 + c] - mean));
      }
    expect(maxDiff).toBeLessThan(1e-12);
    const full = await loadImage('march-pastoral', { size: 1024 });
    expect([full.rows, full.cols]).toEqual([498, 1024]);
    expect(Array.from(full.data.subarray(0, 5000))).toEqual(Array.from(img.luma.subarray(0, 5000)));
  });

  it('a non-integer ratio keeps the mean of the (cropped) picture', async () => {
    const img = await imageLuma('airplane-from-above');
    const sq = 717;
    const x0 = Math.floor((1024 - sq) / 2);
    let mean = 0;
    for (let y = 0; y < sq; y++) for (let x = 0; x < sq; x++) mean += img.luma[y * 1024 + x0 + x];
    mean /= sq * sq;
    const out = areaDownsample(img.luma, 1024, x0, 0, sq, sq, 50, 50);
    expect(out.reduce((a, b) => a + b, 0) / out.length).toBeCloseTo(mean, 10);
    const m = await loadImage('airplane-from-above', { size: 50, crop: 'center-square' });
    expect(Array.from(m.data)).toEqual(Array.from(out));
  });
});

describe('source "image"', () => {
  it('fills defaults and gives the documented shapes', async () => {
    expect(MatrixSource.parse({ source: 'image', image: 'airplane-from-above' })).toEqual({
      source: 'image',
      image: 'airplane-from-above',
      size: 128,
      crop: 'none',
    });
    const a = await loadMatrix({ source: 'image', image: 'airplane-from-above' }, { rng: rng() });
    expect([a.rows, a.cols, a.data.length]).toEqual([90, 128, 90 * 128]); // 717·128/1024 = 89.6
    expect(a.name).toBe('image airplane-from-above 90×128 (whole)');
    for (const v of a.data) expect(v >= 0 && v <= 1).toBe(true);
    const s = await loadMatrix(
      { source: 'image', image: 'march-pastoral', size: 64, crop: 'center-square' },
      { rng: rng() },
    );
    expect([s.rows, s.cols]).toEqual([64, 64]);
    expect(imageShape('march-pastoral', 100, 'none')).toEqual({ rows: 49, cols: 100 }); // 48.6
  });

  it('same config → identical matrix whatever the seed (no random draw)', async () => {
    const src = { source: 'image', image: 'airplane-from-above', size: 96, crop: 'center-square' } as const;
    const a = await loadMatrix(src, { rng: new Rng(1) });
    const b = await loadMatrix(src, { rng: new Rng(99) });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it('pinned figures: the matrix bytes are the ones Chromium computes in a Vite worker bundle', async () => {
    // SHA-256 of the Float64Array bytes. The same two hashes came out of Debian Chromium running
    // loadImage in a module worker built by Vite (2026-12-01), so Node and browser agree bit for bit;
    // a change of decoder, weights or rounding fails here.
    const sha = async (name: (typeof IMAGE_NAMES)[number], size: number, crop: 'none' | 'center-square') =>
      createHash('sha256')
        .update(new Uint8Array((await loadImage(name, { size, crop })).data.buffer))
        .digest('hex');
    expect(await sha('airplane-from-above', 128, 'none')).toBe(
      'f519a9357dedd26aef8d6c8ca79ace2352ba1e498f3c042c908b6861d6573f7f',
    );
    expect(await sha('march-pastoral', 64, 'center-square')).toBe(
      'd6f2dd22f6adbb3401abf68ad94e59e30dac05d772cd00f421901007ed8543c8',
    );
  });

  it('a natural image has fast-decaying singular values; the same entries shuffled do not', async () => {
    for (const name of IMAGE_NAMES) {
      const m = await loadImage(name, { size: 64, crop: 'center-square' });
      const img = decay(m.data, 64, 64, 10);
      // Same values in a seeded random order: same mean and Frobenius norm, no structure.
      const shuffled = Float64Array.from(m.data);
      const r = new Rng(7);
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(r.uniform() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      const rnd = decay(shuffled, 64, 64, 10);
      // Measured (64 × 64 center-square): rank-10 error 0.092 / 0.048 for the images, 0.299 / 0.188
      // shuffled; σ_10/σ_0 0.038 / 0.017 (shuffled 0.082 / 0.047: the mean alone makes σ_0 large).
      expect(img.relErr).toBeLessThan(0.1);
      expect(img.relErr).toBeLessThan(rnd.relErr / 3);
      expect(img.ratio).toBeLessThan(0.05);
    }
  });

  it('bad parameters are refused with the field named', async () => {
    expect(zodPaths({ source: 'image', image: 'mona-lisa' })).toMatch(/^image: .*airplane-from-above/);
    expect(zodPaths({ source: 'image', image: 'march-pastoral', size: 0 })).toMatch(/^size: /);
    expect(zodPaths({ source: 'image', image: 'march-pastoral', size: 2000 })).toMatch(/^size: /);
    expect(zodPaths({ source: 'image', image: 'march-pastoral', size: 12.5 })).toMatch(/^size: /);
    // center-square of march-pastoral is 498 × 498: 499 would upsample.
    expect(zodPaths({ source: 'image', image: 'march-pastoral', size: 499, crop: 'center-square' })).toMatch(
      /^size: size 499 .*498×498.*1…498/,
    );
    expect(
      MatrixSource.safeParse({ source: 'image', image: 'march-pastoral', size: 498, crop: 'center-square' })
        .success,
    ).toBe(true);
    expect(zodPaths({ source: 'image', image: 'march-pastoral', crop: 'left' })).toMatch(/^crop: /);
    expect(zodPaths({ source: 'image' })).toMatch(/^image: /);
    await expect(loadImage('nope' as never)).rejects.toThrow(MatrixSourceError);
    await expect(loadImage('nope' as never)).rejects.toMatchObject({ field: 'image' });
    await expect(loadImage('march-pastoral', { size: 5000 })).rejects.toMatchObject({ field: 'size' });
  });
});

describe('an approximation experiment on an image, through the CLI code path (WebGPU)', () => {
  it('runs, and its low-rank error is the Eckart–Young tail of the image matrix', async () => {
    const config = {
      schema: 'smx/experiment@1',
      kind: 'approximation',
      seed: 1,
      matrix: { source: 'image', image: 'march-pastoral', size: 32, crop: 'center-square' },
      methods: [
        { family: 'lowrank', rank: 4 },
        { family: 'monarch', blocks: 4 },
      ],
      repeats: 1,
      warmup: 0,
    };
    const path = '/virtual/image-approximation.json';
    const text = JSON.stringify(config);
    const r = await cli([path, '--out', '/virtual/out.json', '--quiet'], {
      readFile: async (p) => {
        if (p !== path) throw new Error(`unexpected read of ${p}`);
        return new TextEncoder().encode(text);
      },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // biome-ignore lint/suspicious/noExplicitAny: the result is checked field by field
    const result = JSON.parse(r.files.get('/virtual/out.json') ?? 'null') as any;
    expect(result.status).toBe('finished');
    expect(schemaErrors('config', config)).toBe('');
    expect(schemaErrors('result', result)).toBe('');
    expect(result.config.matrix).toEqual(config.matrix);
    expect([result.summary.matrix.rows, result.summary.matrix.cols]).toEqual([32, 32]);
    const m = await loadImage('march-pastoral', { size: 32, crop: 'center-square' });
    const want = decay(m.data, 32, 32, 4).relErr;
    expect(Math.abs(result.summary.methods[0].relFrobError - want)).toBeLessThan(1e-4);
  }, 120_000);
});

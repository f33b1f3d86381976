import { describe, expect, it } from 'vitest';
import { expectFlatCounts, getGpu } from '../../tests/unit/gpu';
import {
  aShapeIndexRef,
  attentionRef,
  blockSparseIndexRef,
  densityRef,
  type HeadRef,
  maskOfIndex,
  recallRef,
  type SparseIndexRef,
  sparseAttentionRef,
  VS_SINKS,
  verticalSlashIndexRef,
  verticalSlashSelectRef,
} from '../reference/attention';
import { relMaxError } from '../reference/dense';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { aShapeIndex, blockSparseIndex, MAX_BLOCK_SPARSE_N, verticalSlashIndex } from './index-builders';
import { indexQuality, SparseIndex, sparseAttention } from './sparse';

interface Problem {
  heads: HeadRef[];
  q: Tensor;
  k: Tensor;
  v: Tensor;
  dispose(): void;
}

async function problem(h: number, n: number, d: number, seed: number): Promise<Problem> {
  const gpu = await getGpu();
  const rng = new Rng(seed);
  const data = [0, 1, 2].map(() => rng.normals(h * n * d));
  // A few heavy keys so that the patterns differ from uniform attention.
  for (let x = 0; x < h; x++) for (let c = 0; c < d; c++) data[1][(x * n + Math.min(2, n - 1)) * d + c] *= 3;
  const [q, k, v] = data.map((x) => Tensor.fromArray(gpu, x, [h, n, d]));
  const heads = Array.from({ length: h }, (_, i) => ({
    q: data[0].subarray(i * n * d, (i + 1) * n * d),
    k: data[1].subarray(i * n * d, (i + 1) * n * d),
    v: data[2].subarray(i * n * d, (i + 1) * n * d),
    n,
    d,
  }));
  return {
    heads,
    q,
    k,
    v,
    dispose: () => {
      for (const t of [q, k, v]) t.dispose();
    },
  };
}

function sameIndex(got: SparseIndexRef, want: SparseIndexRef): void {
  expect(Array.from(got.blockCount)).toEqual(Array.from(want.blockCount));
  expect(Array.from(got.columnCount)).toEqual(Array.from(want.columnCount));
  for (let b = 0; b < want.rows; b++) {
    const gb = Array.from(got.blockOffset.subarray(b * got.nnzS, b * got.nnzS + got.blockCount[b]));
    const wb = Array.from(want.blockOffset.subarray(b * want.nnzS, b * want.nnzS + want.blockCount[b]));
    expect(gb, `blocks of query block ${b}`).toEqual(wb);
    const gc = Array.from(got.columnIndex.subarray(b * got.nnzV, b * got.nnzV + got.columnCount[b]));
    const wc = Array.from(want.columnIndex.subarray(b * want.nnzV, b * want.nnzV + want.columnCount[b]));
    expect(gc, `columns of query block ${b}`).toEqual(wc);
  }
}

/** Sorted, within the query block's causal reach; every row keeps its diagonal entry. */
function checkInvariants(ix: SparseIndexRef): void {
  const mask = maskOfIndex(ix);
  for (let b = 0; b < ix.rows; b++) {
    const blocks = Array.from(ix.blockOffset.subarray(b * ix.nnzS, b * ix.nnzS + ix.blockCount[b]));
    const cols = Array.from(ix.columnIndex.subarray(b * ix.nnzV, b * ix.nnzV + ix.columnCount[b]));
    for (let t = 1; t < blocks.length; t++) expect(blocks[t]).toBeGreaterThanOrEqual(blocks[t - 1] + 64);
    for (let t = 1; t < cols.length; t++) expect(cols[t]).toBeGreaterThan(cols[t - 1]);
    for (const o of blocks) expect(o).toBeLessThanOrEqual(b * 64 + 63);
    for (const j of cols) expect(j).toBeLessThanOrEqual(Math.min(ix.n - 1, b * 64 + 63));
  }
  for (let i = 0; i < ix.n; i++) expect(mask[i * ix.n + i], `diagonal entry of row ${i}`).toBe(1);
}

describe('sparse attention kernel (MInference index layout)', () => {
  // d = 16 runs the unrolled forward_d16, d = 12 the general loops (D4 = 3).
  for (const [n, d] of [
    [1, 16],
    [3, 16],
    [17, 16],
    [65, 12],
    [257, 16],
  ])
    it(`equals the oracle restricted to each pattern's mask (n ${n}, d ${d})`, async () => {
      const gpu = await getGpu();
      const p = await problem(2, n, d, 40 + n);
      const rng = new Rng(n);
      const cols = [...new Set(Array.from({ length: 6 }, () => rng.int(n)))];
      const offs = [0, ...new Set(Array.from({ length: 4 }, () => rng.int(n)))];
      const refs: Array<[string, SparseIndexRef[]]> = [
        ['a-shape', p.heads.map(() => aShapeIndexRef(n, 3, 40))],
        ['vertical-slash', p.heads.map(() => verticalSlashIndexRef(n, cols, [...new Set(offs)]))],
        ['block-sparse', p.heads.map((h) => blockSparseIndexRef(h, 2))],
      ];
      for (const [name, r] of refs) {
        const ix = SparseIndex.fromRef(gpu, r);
        const out = sparseAttention(p.q, p.k, p.v, ix);
        const want = p.heads.flatMap((h, i) => Array.from(sparseAttentionRef(h, r[i])));
        expect(relMaxError(await out.read(), want), name).toBeLessThan(2e-5);
        out.dispose();
        ix.dispose();
      }
      p.dispose();
    });

  it('recall and density of an index equal the oracle', async () => {
    const gpu = await getGpu();
    const p = await problem(2, 130, 8, 7);
    const r = p.heads.map(() => aShapeIndexRef(130, 2, 30));
    const ix = SparseIndex.fromRef(gpu, r);
    const qual = await indexQuality(p.q, p.k, ix);
    for (let h = 0; h < 2; h++) {
      const mask = maskOfIndex(r[h]);
      expect(qual.recall[h]).toBeCloseTo(recallRef(p.heads[h], mask), 5);
      expect(qual.density[h]).toBeCloseTo(densityRef(mask, 130), 6);
    }
    ix.dispose();
    p.dispose();
  });
});

describe('index builders on the GPU', () => {
  it('A-shape, block-sparse and vertical-slash indices equal the oracle builders; invariants hold', async () => {
    const n = 300;
    const p = await problem(2, n, 16, 3);
    const cases: Array<[string, () => SparseIndex, (h: HeadRef) => SparseIndexRef]> = [
      ['a-shape', () => aShapeIndex(p.q, 4, 100), () => aShapeIndexRef(n, 4, 100)],
      ['block-sparse', () => blockSparseIndex(p.q, p.k, 2), (h) => blockSparseIndexRef(h, 2)],
      [
        'vertical-slash',
        () => verticalSlashIndex(p.q, p.k, 20, 6),
        (h) => {
          const sel = verticalSlashSelectRef(h, 20, 6);
          return verticalSlashIndexRef(n, sel.columns, sel.offsets);
        },
      ],
    ];
    for (const [name, gpuBuild, refBuild] of cases) {
      const ix = gpuBuild();
      const got = await ix.read();
      for (let h = 0; h < 2; h++) {
        const want = refBuild(p.heads[h]);
        sameIndex(got[h], want);
        checkInvariants(got[h]);
        if (name === 'vertical-slash') {
          const mask = maskOfIndex(got[h]);
          for (let j = 0; j < VS_SINKS; j++) expect(mask[(n - 1) * n + j], `sink ${j}`).toBe(1);
        }
      }
      const out = sparseAttention(p.q, p.k, p.v, ix);
      const want = p.heads.flatMap((h, i) => Array.from(sparseAttentionRef(h, got[i])));
      expect(relMaxError(await out.read(), want), name).toBeLessThan(2e-5);
      out.dispose();
      ix.dispose();
    }
    p.dispose();
  });

  it('full budgets give dense attention (≤ 1e-4 relative), recall 1 and density 1 for every pattern', async () => {
    const n = 200;
    const p = await problem(2, n, 16, 12);
    const dense = p.heads.flatMap((h) => Array.from(attentionRef(h).out));
    const builders: Array<[string, () => SparseIndex]> = [
      ['a-shape', () => aShapeIndex(p.q, 1e6, 1e6)],
      ['vertical-slash', () => verticalSlashIndex(p.q, p.k, 1e6, 1e6)],
      ['block-sparse', () => blockSparseIndex(p.q, p.k, 1e6)],
    ];
    for (const [name, build] of builders) {
      const ix = build();
      const out = sparseAttention(p.q, p.k, p.v, ix);
      expect(relMaxError(await out.read(), dense), name).toBeLessThan(1e-4);
      const qual = await indexQuality(p.q, p.k, ix);
      for (let h = 0; h < 2; h++) {
        expect(qual.recall[h], `${name} recall`).toBeCloseTo(1, 5);
        expect(qual.density[h], `${name} density`).toBe(1);
      }
      out.dispose();
      ix.dispose();
    }
    p.dispose();
  });

  it('recall never decreases as budgets grow', async () => {
    const n = 256;
    const p = await problem(1, n, 16, 21);
    const ladders: Array<[string, (b: number) => SparseIndex, number[]]> = [
      ['a-shape local', (b) => aShapeIndex(p.q, 4, b), [1, 64, 100, 200, 256]],
      ['a-shape init', (b) => aShapeIndex(p.q, b, 64), [0, 2, 10, 100]],
      ['block-sparse', (b) => blockSparseIndex(p.q, p.k, b), [1, 2, 3, 4]],
      ['vertical', (b) => verticalSlashIndex(p.q, p.k, b, 8), [8, 16, 40, 256]],
      ['slash', (b) => verticalSlashIndex(p.q, p.k, 8, b), [8, 16, 40, 256]],
    ];
    for (const [name, build, budgets] of ladders) {
      let prev = 0;
      for (const b of budgets) {
        const ix = build(b);
        const { recall } = await indexQuality(p.q, p.k, ix);
        expect(recall[0], `${name} at ${b}`).toBeGreaterThanOrEqual(prev - 1e-6);
        prev = recall[0];
        ix.dispose();
      }
    }
    p.dispose();
  });

  it('rejects bad shapes and budgets with clear errors', async () => {
    const gpu = await getGpu();
    const p = await problem(1, 70, 8, 1);
    const other = Tensor.zeros(gpu, [1, 71, 8]);
    expect(() => verticalSlashIndex(p.q, other, 10, 10)).toThrow(/does not match Q \[1, 70, 8\]/);
    const ix = aShapeIndex(other, 1, 10);
    expect(() => sparseAttention(p.q, p.k, p.v, ix)).toThrow(
      /index is for 1 heads of length 71, Q has 1 heads of length 70/,
    );
    expect(() => blockSparseIndex(p.q, p.k, 0)).toThrow(/topk must be ≥ 1/);
    const long = {
      ...p.q,
      gpu,
      rank: 3,
      shape: [1, MAX_BLOCK_SPARSE_N + 1, 8],
      size: (MAX_BLOCK_SPARSE_N + 1) * 8,
    };
    expect(() => blockSparseIndex(long as unknown as Tensor, long as unknown as Tensor, 2)).toThrow(
      /over the block-sparse builder's limit of 16384/,
    );
    ix.dispose();
    other.dispose();
    p.dispose();
  });

  it('keeps flat counts of live tensors and pooled buffers over repeated builds, kernels and quality', async () => {
    const gpu = await getGpu();
    const p = await problem(2, 130, 16, 5);
    const builders = [
      () => aShapeIndex(p.q, 2, 40),
      () => verticalSlashIndex(p.q, p.k, 9, 3),
      () => blockSparseIndex(p.q, p.k, 1),
    ];
    const round = async () => {
      for (const build of builders) {
        const ix = build();
        sparseAttention(p.q, p.k, p.v, ix).dispose();
        await indexQuality(p.q, p.k, ix);
        ix.dispose();
      }
      // tidy() disposes an index's tensors like any intermediate.
      tidy(() => void builders[1]());
      await gpu.sync();
    };
    await expectFlatCounts(gpu, round);
    p.dispose();
  });
});

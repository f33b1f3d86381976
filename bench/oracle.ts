/**
 * The check every structured bench runs before it is timed: one apply() at the bench size against
 * the float64 oracle in src/reference, computed from the member's own parameters read back (the
 * oracle never calls the code under test). Resolves to max |got − want| / (1 + max |want|); throws
 * above ORACLE_TOL (f32 products of ≤ 512 terms of unit-scale inputs stay near 1e-6).
 */
import { blockdiagApply } from '../src/reference/blockdiag';
import * as ref from '../src/reference/dense';
import { kronApply } from '../src/reference/kronecker';
import { monarchApply } from '../src/reference/monarch';
import { spmm } from '../src/reference/sparse';
import type { BlockDiagMatrix } from '../src/structured/blockdiag';
import type { KroneckerMatrix } from '../src/structured/kronecker';
import type { LowRankMatrix } from '../src/structured/lowrank';
import type { MonarchMatrix } from '../src/structured/monarch';
import type { NMSparseMatrix } from '../src/structured/nm-sparse';
import type { OrthoProjMatrix } from '../src/structured/orthoproj';
import type { SparseMatrix } from '../src/structured/sparse';
import type { SparseLowRankMatrix } from '../src/structured/sparse-lowrank';
import type { StructuredMatrix } from '../src/structured/types';
import type { Tensor } from '../src/tensor/tensor';

export const ORACLE_TOL = 1e-4;

const read = async (t: Tensor): Promise<Float64Array> => Float64Array.from(await t.read());
const arrOf = async (t: Tensor): Promise<ref.Arr> => ref.arr(await read(t), [...t.shape]);

/** Y = X·Aᵀ·Bᵀ in f64 (A r × cols, B rows × r). */
function lowRankApply(x: ref.Arr, A: ref.Arr, B: ref.Arr): ref.Arr {
  return ref.matmul(ref.matmul(x, A, false, true), B, false, true);
}

async function sparseApply(S: SparseMatrix | NMSparseMatrix, x: ref.Arr): Promise<ref.Arr> {
  const p = S.pattern;
  return spmm(p.rows, p.cols, p.rowPtr, p.colIdx, await read(S.values), x);
}

/** The f64 oracle of m.apply(x), from m's parameters. */
export async function oracleApply(m: StructuredMatrix, x: ref.Arr): Promise<ref.Arr> {
  switch (m.kind) {
    case 'blockdiag': {
      const b = m as BlockDiagMatrix;
      const nb = b.blocks;
      return blockdiagApply(x, await read(b.w), { nb, R: b.rows / nb, K: b.cols / nb });
    }
    case 'monarch': {
      const mo = m as MonarchMatrix;
      return monarchApply(x, await read(mo.w1), await read(mo.w2), mo.shape);
    }
    case 'kronecker': {
      const k = m as KroneckerMatrix;
      return kronApply(x, await read(k.A), await read(k.B), k.shape);
    }
    case 'lowrank':
    case 'fwsvd': {
      const l = m as LowRankMatrix;
      return lowRankApply(x, await arrOf(l.A), await arrOf(l.B));
    }
    case 'orthoproj': {
      const o = m as OrthoProjMatrix;
      const xu = ref.matmul(x, await arrOf(o.U));
      return ref.matmul(xu, await arrOf(o.WU), false, true);
    }
    case 'sparse':
    case 'nm-sparse':
      return sparseApply(m as SparseMatrix | NMSparseMatrix, x);
    case 'sparse+lowrank': {
      const s = m as SparseLowRankMatrix;
      const low = lowRankApply(x, await arrOf(s.A), await arrOf(s.B));
      const sp = await sparseApply(s.S, x);
      return ref.zip(low, sp, (a, b) => a + b);
    }
    default:
      throw new Error(`no f64 oracle for family ${m.kind}: add one to bench/oracle.ts`);
  }
}

/** One m.apply(x) against the oracle; resolves to the error measure, throws above ORACLE_TOL. */
export async function checkApply(m: StructuredMatrix, x: Tensor): Promise<number> {
  const y = m.apply(x);
  const got = await y.read();
  y.dispose();
  const want = await oracleApply(m, await arrOf(x));
  const err = ref.relMaxError(got, want.data);
  if (!(err <= ORACLE_TOL)) throw new Error(`${m.kind}: max error ${err.toExponential(2)} > ${ORACLE_TOL}`);
  return err;
}

/** Our dense Y = X·Wᵀ against the f64 product. */
export async function checkDense(y: Tensor, x: Tensor, w: Tensor): Promise<number> {
  const got = await y.read();
  y.dispose();
  const want = ref.matmul(await arrOf(x), await arrOf(w), false, true);
  const err = ref.relMaxError(got, want.data);
  if (!(err <= ORACLE_TOL)) throw new Error(`dense: max error ${err.toExponential(2)} > ${ORACLE_TOL}`);
  return err;
}

/** Seeded matrix generators (f64, row-major). */
import type { Rng } from '../tensor/rng';
import type { MatrixData } from './types';

const todo = (): never => {
  throw new Error('not implemented yet');
};

export function defaultMonarchBlocks(n: number): number {
  let best = 1;
  for (let d = 1; d <= n; d++)
    if (n % d === 0 && Math.abs(d - Math.sqrt(n)) < Math.abs(best - Math.sqrt(n))) best = d;
  return best;
}
export function gaussian(_rows: number, _cols: number, _rng: Rng, _opts: { std?: number } = {}): MatrixData {
  return todo();
}
export function lowRankNoise(
  _rows: number,
  _cols: number,
  _rng: Rng,
  _opts: { rank: number; decay: number; decayKind: 'geometric' | 'power'; noise: number },
): MatrixData {
  return todo();
}
export function monarch(_n: number, _rng: Rng, _opts: { blocks: number }): MatrixData {
  return todo();
}
export function toeplitzBspline(_n: number, _opts: { p: number; alpha: number; terms: number }): MatrixData {
  return todo();
}
export function randomOrthogonal(_rows: number, _cols: number, _rng: Rng): MatrixData {
  return todo();
}
export function dftMonarch(_n: number, _opts: { blocks: number; part: 'real' | 'imag' }): MatrixData {
  return todo();
}

/**
 * Where an experiment's matrix comes from: a file (Node CLI), a dropped file's bytes (browser), or
 * a seeded generator. Experiment configs embed `MatrixSource`; runners call `loadMatrix`.
 *
 *   {"source": "file", "path": "w.safetensors", "tensor": "layer0.weight"}
 *   {"source": "bytes", "name": "w.npy", "format": "npy"}            // bytes passed in ctx.bytes
 *   {"source": "generate", "generator": "lowrank-noise", "rows": 256, "cols": 128, "rank": 16}
 *   {"source": "image", "image": "airplane-from-above", "size": 128}  // grayscale, src/data/image.ts
 *
 * The schemas and size limits (MAX_SIDE per generated side, MAX_FILE_ELEMENTS per file matrix) are
 * in ./sources.schema.ts.
 */
import type { Rng } from '../tensor/rng';
import {
  defaultMonarchBlocks,
  dftMonarch,
  gaussian,
  lowRankNoise,
  monarch,
  randomOrthogonal,
  toeplitzBspline,
} from './generators';
import { loadImage } from './image';
import { readNpy } from './npy';
import { readSafetensorsMatrix } from './safetensors';
import {
  type GenerateSourceConfig,
  MAX_FILE_ELEMENTS,
  MatrixSource,
  type MatrixSourceInput,
} from './sources.schema';
import { type MatrixData, MatrixFileError, MatrixSourceError } from './types';

export interface LoadContext {
  /** Seeds every generator draw (ignored for files). */
  rng: Rng;
  /** Node: read a path (e.g. `(p) => fs.promises.readFile(p)`). Needed for source "file". */
  readFile?: (path: string) => Promise<Uint8Array>;
  /** Browser: the dropped file's bytes. Needed for source "bytes". */
  bytes?: Uint8Array;
}

/** Infer a file's format from its name, else from its first bytes (npy magic \x93NUMPY). */
export function formatOf(name: string, bytes: Uint8Array): 'npy' | 'safetensors' {
  const lower = name.toLowerCase();
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.safetensors')) return 'safetensors';
  return bytes.length >= 6 && bytes[0] === 0x93 && bytes[1] === 0x4e ? 'npy' : 'safetensors';
}

/** Decode a matrix file's bytes; throws MatrixFileError. */
export function decodeMatrix(
  bytes: Uint8Array,
  name: string,
  format: 'npy' | 'safetensors',
  tensor?: string,
): MatrixData {
  let m: MatrixData;
  if (format === 'npy') {
    if (tensor !== undefined)
      throw new MatrixFileError(name, `a .npy file holds one array; "tensor" ("${tensor}") does not apply`);
    const r = readNpy(bytes, name);
    m = { rows: r.rows, cols: r.cols, data: r.data, name };
  } else {
    const r = readSafetensorsMatrix(bytes, tensor, name);
    m = { rows: r.rows, cols: r.cols, data: r.data, name: `${name}:${r.tensor}` };
  }
  if (m.rows * m.cols > MAX_FILE_ELEMENTS)
    throw new MatrixFileError(
      name,
      `matrix ${m.rows} × ${m.cols} is over the limit for a matrix file of 4096 × 8192 (${MAX_FILE_ELEMENTS.toLocaleString('en-US')} entries, in any shape)`,
    );
  return m;
}

/** Parse `source` (throws a ZodError naming the field) and produce its matrix, f64 row-major. */
export async function loadMatrix(source: MatrixSourceInput, ctx: LoadContext): Promise<MatrixData> {
  const s = MatrixSource.parse(source);
  switch (s.source) {
    case 'file': {
      if (!ctx.readFile)
        throw new MatrixSourceError('source', 'source "file" needs a readFile function (Node only)');
      const bytes = await ctx.readFile(s.path);
      const base = s.path.split(/[\\/]/).pop() || s.path;
      return decodeMatrix(bytes, base, formatOf(base, bytes), s.tensor);
    }
    case 'bytes': {
      if (!ctx.bytes)
        throw new MatrixSourceError('source', `source "bytes" (${s.name}) needs the file's bytes`);
      return decodeMatrix(ctx.bytes, s.name, s.format, s.tensor);
    }
    case 'generate':
      return generate(s, ctx.rng);
    case 'image':
      return loadImage(s.image, { size: s.size, crop: s.crop });
  }
}

/** Run one generator spec (already parsed). */
export function generate(s: GenerateSourceConfig, rng: Rng): MatrixData {
  switch (s.generator) {
    case 'gaussian':
      return gaussian(s.rows, s.cols, rng, { std: s.std });
    case 'lowrank-noise':
      return lowRankNoise(s.rows, s.cols, rng, {
        rank: s.rank,
        decay: s.decay,
        decayKind: s.decayKind,
        noise: s.noise,
      });
    case 'monarch':
      return monarch(s.n, rng, { blocks: s.blocks ?? defaultMonarchBlocks(s.n) });
    case 'toeplitz-bspline':
      return toeplitzBspline(s.n, { p: s.p, alpha: s.alpha, terms: s.terms });
    case 'orthogonal':
      return randomOrthogonal(s.rows, s.cols, rng);
    case 'dft-monarch':
      return dftMonarch(s.n, { blocks: s.blocks ?? defaultMonarchBlocks(s.n), part: s.part });
  }
}

/**
 * The `matrix` field of experiment configs as zod schemas (MatrixSource: a file, a dropped file's
 * bytes, a seeded generator or a bundled image) and their size limits. GPU-free and loader-free:
 * ./sources.ts loads what these describe.
 */
import { z } from 'zod';
import { DEFAULT_IMAGE_SIZE, IMAGE_NAMES, type ImageName, imageShape, MAX_IMAGE_SIZE } from './images';

/** Largest generated side (4096² f64 = 128 MiB). */
export const MAX_SIDE = 4096;
/** Largest matrix read from a file, in entries (2²⁵ f64 = 256 MiB). */
export const MAX_FILE_ELEMENTS = 2 ** 25;

const side = z
  .number()
  .int()
  .min(1)
  .max(MAX_SIDE, { error: (iss) => `at most ${MAX_SIDE} per side (asked for ${String(iss.input)})` });

const FileSource = z.strictObject({
  source: z.literal('file'),
  /** .npy or .safetensors (format by extension, else by the file's first bytes). */
  path: z.string().min(1),
  /** safetensors: which tensor; default: the only 2-D tensor in the file. */
  tensor: z.string().optional(),
});

const BytesSource = z.strictObject({
  source: z.literal('bytes'),
  /** The dropped file's name (for messages and labels). */
  name: z.string().min(1),
  format: z.enum(['npy', 'safetensors']),
  tensor: z.string().optional(),
});

const GaussianGen = z.strictObject({
  source: z.literal('generate'),
  generator: z.literal('gaussian'),
  rows: side.default(64),
  cols: side.default(64),
  /** Entry standard deviation; default 1/√cols (so ‖W x‖ ≈ ‖x‖). */
  std: z.number().positive().optional(),
});

const LowRankNoiseGen = z
  .strictObject({
    source: z.literal('generate'),
    generator: z.literal('lowrank-noise'),
    rows: side.default(64),
    cols: side.default(64),
    rank: z.number().int().min(1).default(8),
    /** geometric: σ_i = decay^i; power: σ_i = (i+1)^(−decay); i = 0 … rank−1, so σ_0 = 1. */
    decayKind: z.enum(['geometric', 'power']).default('geometric'),
    decay: z.number().positive().default(0.7),
    /** Standard deviation of iid Gaussian noise added to every entry. */
    noise: z.number().nonnegative().default(1e-3),
  })
  .superRefine((v, ctx) => {
    if (v.rank > Math.min(v.rows, v.cols))
      ctx.addIssue({
        code: 'custom',
        path: ['rank'],
        message: `rank ${v.rank} exceeds min(rows, cols) = ${Math.min(v.rows, v.cols)}`,
      });
    else qrCost(Math.max(v.rows, v.cols), v.rank, ctx, 'rank');
    if (v.decayKind === 'geometric' && v.decay > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['decay'],
        message: `geometric decay must be ≤ 1 (got ${v.decay})`,
      });
  });

/** Largest max·min² of a CPU Householder QR a generator may ask for (2³⁰ = 1024³). */
export const MAX_QR_COST = 2 ** 30;

function qrCost(m: number, k: number, ctx: z.RefinementCtx, field: string): void {
  if (m * k * k > MAX_QR_COST)
    ctx.addIssue({
      code: 'custom',
      path: [field],
      message: `a ${m}×${k} random orthonormal factor needs a CPU QR costing ${m}·${k}² = ${m * k * k}, over the limit ${MAX_QR_COST} (= 1024³)`,
    });
}

const blocksDivide = (v: { n: number; blocks?: number }, ctx: z.RefinementCtx) => {
  if (v.blocks !== undefined && v.n % v.blocks !== 0)
    ctx.addIssue({
      code: 'custom',
      path: ['blocks'],
      message: `blocks ${v.blocks} does not divide n = ${v.n}`,
    });
};

const MonarchGen = z
  .strictObject({
    source: z.literal('generate'),
    generator: z.literal('monarch'),
    n: side.default(64),
    /** m1 = number of blocks of R (ALGORITHMS.md §2); default: the divisor of n closest to √n. */
    blocks: z.number().int().min(1).optional(),
  })
  .superRefine(blocksDivide);

const ToeplitzBsplineGen = z.strictObject({
  source: z.literal('generate'),
  generator: z.literal('toeplitz-bspline'),
  n: side.default(64),
  /** B-spline degree. */
  p: z.number().int().min(2).max(12).default(3),
  /** Fractional order (the paper uses 1 < α ≤ 2). */
  alpha: z.number().gt(0).max(2).default(1.5),
  /** Symbol series truncated at |m| ≤ terms, plus an Euler–Maclaurin tail estimate (500 gives ~1e-10). */
  terms: z.number().int().min(1).max(100_000).default(500),
});

const OrthogonalGen = z
  .strictObject({
    source: z.literal('generate'),
    generator: z.literal('orthogonal'),
    /** rows ≥ cols: orthonormal columns; rows < cols: orthonormal rows. */
    rows: side.default(64),
    cols: side.default(64),
  })
  .superRefine((v, ctx) => qrCost(Math.max(v.rows, v.cols), Math.min(v.rows, v.cols), ctx, 'cols'));

const DftMonarchGen = z
  .strictObject({
    source: z.literal('generate'),
    generator: z.literal('dft-monarch'),
    n: side.default(64),
    blocks: z.number().int().min(1).optional(),
    part: z.enum(['real', 'imag']).default('real'),
  })
  .superRefine(blocksDivide);

export const GenerateSource = z.discriminatedUnion('generator', [
  GaussianGen,
  LowRankNoiseGen,
  MonarchGen,
  ToeplitzBsplineGen,
  OrthogonalGen,
  DftMonarchGen,
]);

/** Grayscale of a bundled @stdlib image (src/data/image.ts); size = the longer side after the crop. */
export const ImageSource = z
  .strictObject({
    source: z.literal('image'),
    image: z.enum(IMAGE_NAMES as [ImageName, ...ImageName[]]),
    size: z.number().int().min(1).max(MAX_IMAGE_SIZE).default(DEFAULT_IMAGE_SIZE),
    crop: z.enum(['none', 'center-square']).default('none'),
  })
  .superRefine((v, ctx) => {
    try {
      imageShape(v.image, v.size, v.crop);
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['size'], message: (e as Error).message });
    }
  });

export const MatrixSource = z.discriminatedUnion('source', [
  FileSource,
  BytesSource,
  GenerateSource,
  ImageSource,
]);

/** A parsed source (defaults filled in). */
export type MatrixSource = z.infer<typeof MatrixSource>;
/** What a config may contain (defaults optional). */
export type MatrixSourceInput = z.input<typeof MatrixSource>;
export type GenerateSourceConfig = z.infer<typeof GenerateSource>;
export type GeneratorName = GenerateSourceConfig['generator'];
export const GENERATOR_NAMES = GenerateSource.options.map((o) => o.shape.generator.value) as GeneratorName[];

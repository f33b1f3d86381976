/**
 * Plot conventions, in one place, for every chart on the page (docs/ui.md, "Conventions for new
 * views"). A new view (training, attention, sketches …) takes its colours, names, axes, titles,
 * legends and heatmap geometry from here instead of writing Plotly settings again:
 *
 * - one fixed colour per structured family, on every chart (`familyColour`); series that are not a
 *   family (the matrix W, random Gaussian / orthogonal references, a symbol curve) are neutral
 *   (`REFERENCE`), told apart by dash and marker, never by a new hue;
 * - names a reader understands (`familyName`), never internal ids or artifact keys;
 * - every axis has a title with its unit (`linearAxis`, `logAxis`); log axes label decades only,
 *   as powers of ten (no "2 5" between decades, no SI prefixes like 1μ);
 * - titles are short and left-aligned, so a half-width chart never clips them (`chartTitle`);
 * - one legend entry per family (`legendOncePerGroup`), however many sizes or points it has;
 * - heatmaps are drawn in the matrix's own rows and columns at its true aspect (`heatmapGeometry`).
 */
import type { Data, LayoutAxis } from 'plotly.js-dist-min';

/** Colour and reader-facing name of each structured family (src/structured/registry names). */
export const FAMILIES: Record<string, { colour: string; name: string }> = {
  lowrank: { colour: '#1f77b4', name: 'Low rank' },
  monarch: { colour: '#ff7f0e', name: 'Monarch' },
  blockdiag: { colour: '#2ca02c', name: 'Block-diagonal' },
  sparse: { colour: '#d62728', name: 'Sparse' },
  'nm-sparse': { colour: '#9467bd', name: 'N:M sparse' },
  'sparse+lowrank': { colour: '#e377c2', name: 'Sparse + low rank' },
  kronecker: { colour: '#17becf', name: 'Kronecker' },
  orthoproj: { colour: '#bcbd22', name: 'Orthogonal projection' },
  fwsvd: { colour: '#8c564b', name: 'FWSVD' },
  'dense-sparse': { colour: '#0044ff', name: 'Dense × N:M sparse' },
  dense: { colour: '#7f7f7f', name: 'Dense' },
};

/** Neutral styles for series that are not a family (grey / near-text tones, never a family hue). */
export const REFERENCE = {
  /** The matrix itself (σ(W), heatmap of W). */
  W: { colour: '#7f7f7f', dash: 'solid', width: 3 },
  /** Random Gaussian reference matrix. */
  gaussian: { colour: '#4b5563', dash: 'solid', width: 2 },
  /** Random orthogonal reference matrix. */
  orthogonal: { colour: '#4b5563', dash: 'dot', width: 2 },
  /** Sampled symbol / analytic curve. */
  curve: { colour: '#7f7f7f', dash: 'solid', width: 2 },
  /** Measured points against an analytic curve (e.g. eigenvalues vs symbol). */
  measured: { colour: '#4b5563', dash: 'solid', width: 1 },
} as const;

/**
 * Sketches (kind `sketch`) and bindings (kind `binding`): not families, so their own small palettes.
 * Dense sketches solid, sparse ones dashed; orthogonal bindings solid, the Gaussian one dashed.
 */
export const SKETCH_STYLES: Record<string, { colour: string; dash: string; name: string }> = {
  gaussian: { colour: '#1f77b4', dash: 'solid', name: 'Gaussian (dense)' },
  srht: { colour: '#ff7f0e', dash: 'solid', name: 'SRHT (dense, via FWHT)' },
  countsketch: { colour: '#2ca02c', dash: 'dash', name: 'CountSketch (sparse)' },
  osnap: { colour: '#d62728', dash: 'dash', name: 'OSNAP (sparse)' },
};
export const BINDING_STYLES: Record<string, { colour: string; dash: string; name: string }> = {
  orthogonal: { colour: '#1f77b4', dash: 'solid', name: 'orthogonal (Haar)' },
  hadamard: { colour: '#ff7f0e', dash: 'solid', name: 'orthogonal (Hadamard, FWHT)' },
  gaussian: { colour: '#d62728', dash: 'dash', name: 'Gaussian N(0, 1/D)' },
};

/** A run from history overlaid on the current one: same colour, this dash, faded markers. */
export const COMPARED = { dash: 'dash', opacity: 0.45, suffix: ' (compared run)' } as const;

const UNKNOWN = '#7f7f7f';

/** The family's colour (grey for a name that is not a family: add it to FAMILIES first). */
export function familyColour(family: string): string {
  return FAMILIES[family]?.colour ?? UNKNOWN;
}

/** The family's reader-facing name ("nm-sparse" → "N:M sparse"); unknown names pass through. */
export function familyName(family: string): string {
  return FAMILIES[family]?.name ?? family;
}

/** A chart title: short, left-aligned on the plotting area (never clipped at half width). */
export function chartTitle(text: string) {
  return { text, x: 0, xref: 'paper' as const, xanchor: 'left' as const, font: { size: 14 } };
}

/** A linear axis with a title that names the quantity and its unit. */
export function linearAxis(title: string, extra: Partial<LayoutAxis> = {}): Partial<LayoutAxis> {
  return { title: { text: title }, exponentformat: 'power', ...extra };
}

/**
 * A log axis labelled at decades only, as powers of ten; the range is widened to whole decades
 * around the data so at least two labels show, even for data within one decade. Values ≤ 0 and
 * non-finite ones are ignored (draw zeros at a documented floor instead).
 */
export function logAxis(
  title: string,
  values: Iterable<number>,
  extra: Partial<LayoutAxis> = {},
): Partial<LayoutAxis> {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values)
    if (v > 0 && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  const range = decadeRange(lo, hi);
  // At most ~6 labels: every decade, or every 2nd / 3rd … decade over a long range.
  const span = range ? range[1] - range[0] : 1;
  const dtick = Math.max(1, Math.ceil(span / 6));
  return {
    type: 'log',
    title: { text: title },
    dtick,
    exponentformat: 'power',
    showexponent: 'all',
    // Unlabelled minor ticks at 2…9 × 10ᵏ only while they are far enough apart to read.
    ...(span <= 4 ? { minor: { ticks: 'outside', ticklen: 3, showgrid: false } } : {}),
    ...(range ? { range, autorange: false } : {}),
    ...extra,
  } as Partial<LayoutAxis>;
}

/** [floor(log10 lo), ceil(log10 hi)] with a little margin, spanning at least one decade. */
export function decadeRange(lo: number, hi: number): [number, number] | null {
  if (!(lo > 0) || !(hi > 0) || !Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  let a = Math.floor(Math.log10(lo) + 1e-9);
  let b = Math.ceil(Math.log10(hi) - 1e-9) + 0; // + 0: no -0
  if (b <= a) b = a + 1;
  if (Math.log10(lo) - a < 0.02) a -= 0.05;
  if (b - Math.log10(hi) < 0.02) b += 0.05;
  return [a, b];
}

/**
 * Show each legend group once: the first trace of a group keeps its legend entry and takes the
 * group's name; the rest share it (clicking the entry hides the whole group). Traces without a
 * legendgroup keep their own entry.
 */
export function legendOncePerGroup(traces: Data[], nameOf: (group: string) => string): Data[] {
  const seen = new Set<string>();
  return traces.map((t) => {
    const g = (t as { legendgroup?: string }).legendgroup;
    if (!g) return t;
    if (seen.has(g)) return { ...t, showlegend: false } as Data;
    seen.add(g);
    return { ...t, name: nameOf(g), showlegend: true } as Data;
  });
}

export interface HeatmapGeometry {
  /** Column / row coordinate of the first cell's centre and the cell pitch, in matrix units. */
  x0: number;
  dx: number;
  y0: number;
  dy: number;
  xaxis: Partial<LayoutAxis>;
  yaxis: Partial<LayoutAxis>;
}

/**
 * Where a heatmap of `cells` (rows × cols, possibly block means) of a `matrix` (rows × cols) sits:
 * axes count the matrix's own rows and columns (row 0 at the top), one axis unit is the same
 * length on both axes, so a 100 × 80 matrix is drawn taller than wide.
 */
export function heatmapGeometry(
  matrix: { rows: number; cols: number },
  cells: { rows: number; cols: number },
): HeatmapGeometry {
  const dx = matrix.cols / cells.cols;
  const dy = matrix.rows / cells.rows;
  return {
    x0: dx / 2 - 0.5,
    dx,
    y0: dy / 2 - 0.5,
    dy,
    xaxis: {
      title: { text: `column (of ${matrix.cols})` },
      range: [-0.5, matrix.cols - 0.5],
      constrain: 'domain',
      zeroline: false,
      showgrid: false,
    },
    yaxis: {
      title: { text: `row (of ${matrix.rows})` },
      range: [matrix.rows - 0.5, -0.5],
      scaleanchor: 'x',
      scaleratio: 1,
      constrain: 'domain',
      zeroline: false,
      showgrid: false,
    },
  };
}

/** Axis titles used on more than one chart (one wording everywhere). */
export const AXIS = {
  index: 'index i',
  singularValue: 'singular value σᵢ',
  relFrob: 'relative Frobenius error ‖W − Ŵ‖F / ‖W‖F',
  params: 'stored parameters (count)',
  speedup: 'speedup (dense ms / structured ms)',
  gflops: 'throughput (GFLOP/s)',
  step: 'step k',
} as const;

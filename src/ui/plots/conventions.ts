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
 * - titles are left-aligned and wrapped to the chart's width, never clipped (`chartTitle`, `fitLayout`);
 * - legends sit below the x-axis title in a band of their own, never over an axis title (`fitLayout`);
 * - one legend entry per family (`legendOncePerGroup`), however many sizes or points it has;
 * - `layoutProblems` names what breaks these rules in a laid-out chart (tests run every view's
 *   layouts through it; the e2e suite checks the drawn SVG).
 * - heatmaps are drawn in the matrix's own rows and columns at its true aspect (`heatmapGeometry`).
 */
import type { Data, Layout, LayoutAxis } from 'plotly.js-dist-min';

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
  /** Sampled symbol / analytic curve: dark, drawn over the measured points it is compared with. */
  curve: { colour: '#4b5563', dash: 'solid', width: 2 },
  /** Measured points against an analytic curve (e.g. eigenvalues vs symbol): light open circles. */
  measured: { colour: '#a3abb8', dash: 'solid', width: 1 },
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
  // Dotted: it often lies exactly on the Haar line (both keep ‖x‖ = 1), which stays visible under it.
  hadamard: { colour: '#ff7f0e', dash: 'dot', name: 'orthogonal (Hadamard, FWHT)' },
  gaussian: { colour: '#d62728', dash: 'dash', name: 'Gaussian N(0, 1/D)' },
};

/**
 * Fine-tuning methods (kind `finetune`): adapters are not families, so their own palette and the
 * names their papers use. Full fine-tuning is the neutral reference.
 */
export const ADAPTER_STYLES: Record<string, { colour: string; name: string }> = {
  full: { colour: '#4b5563', name: 'Full fine-tuning' },
  lora: { colour: '#1f77b4', name: 'LoRA' },
  rslora: { colour: '#aec7e8', name: 'rsLoRA' },
  pissa: { colour: '#d62728', name: 'PiSSA' },
  olora: { colour: '#ff9896', name: 'OLoRA' },
  slora: { colour: '#98df8a', name: 'S-LoRA' },
  nlora: { colour: '#9467bd', name: 'NLoRA' },
  inttune: { colour: '#c5b0d5', name: 'IntTune' },
  'lora-xs': { colour: '#ff7f0e', name: 'LoRA-XS' },
  'lora-sb': { colour: '#2ca02c', name: 'LoRA-SB' },
  hira: { colour: '#8c564b', name: 'HiRA' },
  compacter: { colour: '#e377c2', name: 'Compacter' },
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

/**
 * A chart title, left-aligned at the chart's left edge; `fitLayout` wraps it to the chart's width
 * when drawn, so a long title takes two lines instead of being clipped.
 */
export function chartTitle(text: string) {
  return {
    text,
    x: 0,
    xref: 'container' as const,
    xanchor: 'left' as const,
    font: { size: LAYOUT_PX.titleFont },
  };
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

// ---------------------------------------------------------------------------------------------
// Layout that fits the chart's width: wrapped titles, a legend band below the x-axis title.

/** The pixel sizes the layout rules work in (Plotly's own spacing at the theme's fonts). */
export const LAYOUT_PX = {
  /** Chart title font size and the height of one title line. */
  titleFont: 14,
  titleLine: 19,
  /** Axis title font size (Plotly draws them at 1.2 × the theme's 12 px). */
  axisTitleFont: 14,
  /** Gap between the chart's edge and its title / legend. */
  pad: 8,
  /**
   * Legend font size, height of one legend row (Plotly: max(1.3 × font, 16) + 3), and the width an
   * entry takes besides its text (symbol 30 + gaps 15).
   */
  legendFont: 10,
  legendRow: 19,
  legendSymbol: 45,
  /** Room the y axis's tick labels and title may take beyond the left margin (automargin). */
  automarginSlack: 24,
  /** Below the plotting area: tick labels (powers of ten included) and the x-axis title. */
  xAxisBand: 64,
} as const;

/** Width in pixels of `text` at `fontPx` (the browser measures; tests use `estimateWidth`). */
export type Measure = (text: string, fontPx: number) => number;

/** Plotly's pseudo-HTML as plain text: <br> as a line break, other tags dropped. */
export function plainText(text: string): string {
  return text.replace(/<br\s*\/?>/gi, '\n').replace(/<[^>]+>/g, '');
}

/**
 * A width estimate without a browser: 0.62 em per character, a little wider than the page's
 * sans-serif (DejaVu Sans / system-ui average about 0.55 em), so an estimate that fits, fits.
 */
export const estimateWidth: Measure = (text, fontPx) =>
  Math.max(
    0,
    ...plainText(text)
      .split('\n')
      .map((l) => [...l].length),
  ) *
  fontPx *
  0.62;

/** Greedy word wrap of `text` into lines no wider than `maxPx` (a longer single word keeps a line). */
export function wrapText(text: string, maxPx: number, fontPx: number, measure: Measure): string[] {
  const lines: string[] = [];
  for (const para of plainText(text).split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (line && measure(next, fontPx) > maxPx) {
        lines.push(line);
        line = word;
      } else line = next;
    }
    lines.push(line);
  }
  return lines;
}

type TraceLike = {
  type?: string;
  name?: string;
  showlegend?: boolean;
  marker?: { colorbar?: { title?: { text?: string } } };
  colorbar?: { title?: { text?: string } | string };
};

/** Trace types Plotly leaves out of the legend unless asked (showlegend: true). */
const NO_LEGEND_BY_DEFAULT = new Set(['heatmap', 'contour', 'histogram2d', 'histogram2dcontour', 'surface']);
const NOT_CARTESIAN = new Set(['pie', 'sunburst', 'treemap', 'table', 'indicator', 'sankey']);

/** The names the legend shows, by Plotly's rules (none when fewer than two and not forced). */
export function legendEntries(layout: Partial<Layout>, data: Data[]): string[] {
  if (layout.showlegend === false) return [];
  const shown = (data as TraceLike[]).filter((t) =>
    NO_LEGEND_BY_DEFAULT.has(t.type ?? 'scatter') ? t.showlegend === true : t.showlegend !== false,
  );
  if (shown.length < 2 && layout.showlegend !== true) return [];
  return shown.map((t, i) => t.name ?? `trace ${i}`);
}

/**
 * Columns and rows a horizontal legend of `names` takes in `availPx` (Plotly wraps a horizontal
 * legend at the plotting area's width), and each entry's text width.
 */
export function legendGrid(names: string[], availPx: number, measure: Measure) {
  const widest = Math.max(0, ...names.map((n) => measure(n, LAYOUT_PX.legendFont)));
  const cols = Math.max(1, Math.min(names.length, Math.floor(availPx / (widest + LAYOUT_PX.legendSymbol))));
  const rows = Math.ceil(names.length / cols);
  return {
    cols,
    rows,
    widest,
    // One column: as wide as the widest entry (it may reach into the margins, not past the chart).
    entryWidth: cols === 1 ? Math.ceil(widest) : Math.floor(availPx / cols - LAYOUT_PX.legendSymbol),
    height: rows * LAYOUT_PX.legendRow + 12,
  };
}

/** The width a horizontal legend wraps at: the plotting area, less what automargin may take. */
export function legendRoom(width: number, margin: { l?: number; r?: number } | undefined): number {
  return Math.max(60, width - (margin?.l ?? 56) - (margin?.r ?? 16) - LAYOUT_PX.automarginSlack);
}

type TitleLike = { text?: string; font?: { size?: number } } | string | undefined;
const titleText = (t: TitleLike): string => (typeof t === 'string' ? t : (t?.text ?? ''));

function hasCartesian(data: Data[]): boolean {
  return (data as TraceLike[]).some((t) => !NOT_CARTESIAN.has(t.type ?? 'scatter'));
}

/**
 * The layout a chart `width` px wide is drawn with: the title wrapped to the width (the top margin
 * grows by a line per extra line), and the legend, if any, in a band of its own at the bottom of
 * the chart, below the x-axis title: horizontal, as many columns as its longest entry allows, the
 * bottom margin and the chart's height grown by its rows, so the plotting area keeps its size and
 * nothing covers an axis title whatever the axis's tick labels.
 */
export function fitLayout(
  layout: Partial<Layout>,
  data: Data[],
  opts: { width: number; height: number; measure?: Measure },
): { layout: Partial<Layout>; height: number } {
  const measure = opts.measure ?? estimateWidth;
  const width = Math.max(120, opts.width);
  const avail = width - 2 * LAYOUT_PX.pad;
  const margin = { l: 56, r: 16, t: 32, b: 48, ...(layout.margin ?? {}) };
  const out: Partial<Layout> = { ...layout };
  let height = opts.height;
  const title = layout.title as TitleLike;
  const text = titleText(title);
  let titleLines: string[] = [];
  if (text) {
    const font = typeof title === 'object' ? title.font : undefined;
    const px = font?.size ?? LAYOUT_PX.titleFont;
    titleLines = wrapText(text, avail, px, measure);
    const need = LAYOUT_PX.pad + titleLines.length * LAYOUT_PX.titleLine + 8;
    height += Math.max(0, need - margin.t);
    margin.t = Math.max(margin.t, need);
  }
  const names = legendEntries(layout, data);
  if (names.length) {
    const g = legendGrid(names, legendRoom(width, margin), measure);
    out.legend = {
      ...(layout.legend ?? {}),
      orientation: 'h',
      traceorder: 'normal',
      xref: 'container',
      x: 0,
      xanchor: 'left',
      yref: 'container',
      y: 0,
      yanchor: 'bottom',
      entrywidth: g.entryWidth,
      entrywidthmode: 'pixels',
      font: { ...(layout.legend?.font ?? {}), size: LAYOUT_PX.legendFont },
      // Plotly scrolls a legend taller than half the chart: this one has its own band.
      maxheight: g.height + LAYOUT_PX.legendRow,
    } as Layout['legend'];
    const below = Math.max(margin.b, LAYOUT_PX.xAxisBand);
    height += below + g.height - margin.b;
    margin.b = below + g.height;
  }
  if (titleLines.length)
    out.title = {
      ...(typeof title === 'object' ? title : {}),
      text: titleLines.join('<br>'),
      x: 0,
      xref: 'container',
      xanchor: 'left',
      // Plotly lifts a title of several lines by about 10 px: put it back inside the chart.
      y: titleLines.length > 1 ? 1 - 12 / height : 1,
      yref: 'container',
      yanchor: 'top',
      pad: { l: LAYOUT_PX.pad, t: LAYOUT_PX.pad },
    } as Layout['title'];
  out.margin = margin;
  out.height = height;
  return { layout: out, height };
}

/**
 * An internal id in a label a reader sees, or null: a camelCase field name ("l2Error",
 * "linfRatio", "valLoss"), a slash-joined key ("loss/full", "random n=64 #4/gaussian"), a "#4"
 * counter, or a family's registry id where its name differs ("lowrank", "nm-sparse").
 */
export function internalId(label: string): string | null {
  const text = plainText(label);
  // Names spelled so by their papers (rsLoRA, IntTune …) are not ids.
  for (const m of text.matchAll(/(?<![\p{L}\p{N}])[a-z]+[0-9]*[A-Z][A-Za-z0-9]*/gu))
    if (!/LoRA$/.test(m[0])) return m[0];
  const slash = text.match(/[A-Za-z0-9=]{2,}\/[A-Za-z]{2,}/);
  if (slash) return slash[0];
  const counter = text.match(/#\d+/);
  if (counter) return counter[0];
  for (const [id, f] of Object.entries(FAMILIES)) {
    if (f.name.toLowerCase() === id) continue;
    const esc = id.replace(/[+]/g, '\\+');
    if (new RegExp(`(?<![\\p{L}\\p{N}+-])${esc}(?![\\p{L}\\p{N}+-])`, 'u').test(text)) return id;
  }
  return null;
}

/**
 * What, in a chart laid out for `width` px (after `fitLayout`), breaks the conventions: an axis
 * without a title, an internal id in a title, axis title or legend entry, a title line wider than
 * the chart (it would be clipped), a legend placed where it can cover the x-axis title (anything but
 * the bottom band `fitLayout` makes, with room for its rows below the axis band) or whose entries
 * are narrower than their text (they would overlap). Empty when the chart reads right.
 */
export function layoutProblems(
  layout: Partial<Layout>,
  data: Data[],
  width: number,
  measure: Measure = estimateWidth,
): string[] {
  const problems: string[] = [];
  const avail = width - 2 * LAYOUT_PX.pad;
  const labels: Array<[where: string, text: string]> = [];
  const title = layout.title as TitleLike;
  if (titleText(title)) {
    labels.push(['title', titleText(title)]);
    const t = typeof title === 'object' ? title : { text: title };
    const px = t.font?.size ?? LAYOUT_PX.titleFont;
    const anchoredLeft =
      (t as { xref?: string }).xref === 'container' && (t as { xanchor?: string }).xanchor === 'left';
    const room = anchoredLeft ? avail : width - 2 * ((layout.margin?.l ?? 56) + LAYOUT_PX.pad);
    for (const line of plainText(titleText(title)).split('\n'))
      if (measure(line, px) > room) problems.push(`title line "${line}" is wider than the chart: clipped`);
  }
  if (hasCartesian(data)) {
    const axes = Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k));
    for (const k of ['xaxis', 'yaxis']) if (!axes.includes(k)) axes.push(k);
    for (const k of axes) {
      const ax = (layout as Record<string, Partial<LayoutAxis> | undefined>)[k];
      if (ax?.visible === false) continue;
      const text = titleText(ax?.title as TitleLike).trim();
      if (!text) problems.push(`${k} has no title`);
      else {
        labels.push([`${k} title`, text]);
        // Axis titles are drawn at 1.2 × the layout font (Plotly's bigFont), centred on the axis.
        const px = (ax?.title as { font?: { size?: number } })?.font?.size ?? LAYOUT_PX.axisTitleFont;
        const room = k.startsWith('x') ? width : (layout.height ?? 320);
        if (measure(text, px) > room)
          problems.push(
            `${k} title "${text}" is longer than the chart's ${k.startsWith('x') ? 'width' : 'height'}: clipped`,
          );
      }
    }
  }
  const names = legendEntries(layout, data);
  for (const n of names) labels.push(['legend entry', n]);
  for (const t of data as TraceLike[]) {
    const cb = t.colorbar?.title ?? t.marker?.colorbar?.title;
    if (cb) labels.push(['colour bar title', titleText(cb as TitleLike)]);
  }
  for (const [where, text] of labels) {
    const id = internalId(text);
    if (id) problems.push(`${where} "${plainText(text)}" shows the internal id "${id}"`);
  }
  if (names.length) {
    const lg = (layout.legend ?? {}) as {
      yref?: string;
      y?: number;
      yanchor?: string;
      orientation?: string;
      entrywidth?: number;
      entrywidthmode?: string;
    };
    const g = legendGrid(names, legendRoom(width, layout.margin), measure);
    const bottomBand = lg.yref === 'container' && lg.yanchor === 'bottom' && (lg.y ?? 0) <= 0.01;
    if (!bottomBand)
      problems.push(
        `legend placed at ${lg.yref ?? 'paper'} y = ${lg.y ?? 'auto'}: it can cover an axis title (put it in the bottom band, fitLayout)`,
      );
    else if ((layout.margin?.b ?? 0) < LAYOUT_PX.xAxisBand + g.height)
      problems.push(
        `bottom margin ${layout.margin?.b ?? 0} px has no room for the x-axis title and ${g.rows} legend row(s) (${LAYOUT_PX.xAxisBand + g.height} px)`,
      );
    if (lg.orientation === 'h' && lg.entrywidthmode === 'pixels' && (lg.entrywidth ?? 0) < g.widest - 0.5)
      problems.push(
        `legend entries ${lg.entrywidth} px wide for text ${Math.ceil(g.widest)} px: they overlap`,
      );
    if (g.widest + LAYOUT_PX.legendSymbol > width - LAYOUT_PX.pad)
      problems.push(`legend entry ${Math.ceil(g.widest)} px wide in a ${width} px chart: cut off`);
  }
  return problems;
}

/**
 * A Plotly chart. Plotly is loaded once, on first use (plotly.ts); charts draw one per task
 * (draw-queue.ts); updates go through Plotly.react (diffing), and the chart is purged on unmount.
 * The modebar offers "Download plot as PNG". After each draw the figure's data-rendered attribute
 * is set to `revision` (tests and the latency probe watch it).
 *
 * Every chart is laid out for its drawn width here (`fitLayout`, plots/conventions.ts): titles
 * wrap instead of being clipped, the legend gets a band of its own below the x-axis title, and the
 * chart grows by what they need. What still breaks the conventions (`layoutProblems`: an axis
 * without a title, an internal id in a label …) is written to the figure's data-layout-problems
 * attribute, which the e2e suite requires to be empty.
 */
import type { Config, Data, Layout } from 'plotly.js-dist-min';
import { useEffect, useRef, useState } from 'react';
import { markOnce, measureDraw } from '../perf';
import { fitLayout, layoutProblems, type Measure, plainText } from './conventions';
import { queueDraw } from './draw-queue';
import { loadPlotly } from './plotly';
import { PLOT_FONT } from './theme';

let canvas: CanvasRenderingContext2D | null | undefined;
/** Text width in the charts' font, measured by the browser (an estimate where no canvas is). */
const measureText: Measure = (text, fontPx) => {
  if (canvas === undefined)
    canvas = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  const lines = plainText(text).split('\n');
  if (!canvas) return Math.max(...lines.map((l) => l.length)) * fontPx * 0.62;
  canvas.font = `${fontPx}px ${PLOT_FONT}`;
  return Math.max(...lines.map((l) => canvas?.measureText(l).width ?? 0));
};

export interface PlotProps {
  data: Data[];
  layout: Partial<Layout>;
  /** Accessible description of what the chart shows. */
  label: string;
  testId?: string;
  height?: number;
  /** Show the modebar (PNG export); off for the small self-check chart. */
  modebar?: boolean;
  /** File name (no extension) for the PNG export. */
  fileName?: string;
  /** Written to data-rendered once this data is on screen. */
  revision?: string | number;
}

export function Plot({
  data,
  layout,
  label,
  testId,
  height = 320,
  modebar = true,
  fileName,
  revision,
}: PlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  const fig = useRef<HTMLElement>(null);
  /** What the chart shows now (a new revision with the same inputs redraws nothing). */
  const drawn = useRef<{
    data: Data[];
    layout: Partial<Layout>;
    height: number;
    modebar: boolean;
    fileName: string | undefined;
    width: number;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The width the chart was last laid out for; a resize by 32 px or more lays it out again.
  const [width, setWidth] = useState(0);
  const [fittedHeight, setFittedHeight] = useState(height);
  const laidOut = useRef(0);

  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    // A new layout changes the chart's height, which can move the page's scrollbar or grid and so
    // the width again: follow at most 3 resizes per 5 s, so such a loop settles instead of redrawing
    // for ever (Plotly still fits the drawing to the width in between).
    const recent: number[] = [];
    const ro = new ResizeObserver((entries) => {
      const w = Math.round(entries[0]?.contentRect.width ?? 0);
      if (w <= 0 || Math.abs(w - laidOut.current) < 32) return;
      const now = performance.now();
      while (recent.length && now - recent[0] > 5000) recent.shift();
      if (recent.length >= 3) return;
      recent.push(now);
      setWidth(w);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    let cancelled = false;
    const config: Partial<Config> = {
      responsive: true,
      displaylogo: false,
      displayModeBar: modebar ? 'hover' : false,
      modeBarButtonsToRemove: ['select2d', 'lasso2d'],
      toImageButtonOptions: { format: 'png', filename: fileName ?? testId ?? 'plot', scale: 2 },
    };
    let drawing = false;
    loadPlotly()
      .then((P) =>
        // One chart per task, in mount order (draw-queue.ts).
        queueDraw(() => {
          if (cancelled || !ref.current) return;
          drawing = true;
          // Only the revision moved (a live answer that left this chart's figures as they were):
          // nothing to redraw.
          const w = ref.current.clientWidth || width || 600;
          const next = { data, layout, height, modebar, fileName, width: w };
          const last = drawn.current;
          if (last && (Object.keys(next) as Array<keyof typeof next>).every((k) => last[k] === next[k]))
            return;
          laidOut.current = w;
          const fitted = fitLayout(layout, data, {
            width: w,
            height: layout.height ?? height,
            measure: measureText,
          });
          setFittedHeight(fitted.height);
          if (fig.current)
            fig.current.dataset.layoutProblems = layoutProblems(fitted.layout, data, w, measureText).join(
              '\n',
            );
          const t0 = performance.now();
          return P.react(ref.current, data, fitted.layout, config).then(() => {
            drawn.current = next;
            measureDraw(testId ?? 'plot', t0);
          });
        }),
      )
      .then(() => {
        // A draw that started is on screen once it resolves, even if newer props are on their way
        // (a chart that streams faster than it draws still reports each draw it finished).
        if (drawing && fig.current?.isConnected) {
          fig.current.dataset.rendered = String(revision ?? 'yes');
          markOnce(`figure:${testId ?? 'plot'}`);
        }
      })
      .catch((e: unknown) => setError(`The chart could not be drawn: ${(e as Error).message}`));
    return () => {
      cancelled = true;
    };
  }, [data, layout, height, width, modebar, fileName, testId, revision]);

  useEffect(() => {
    const el = ref.current;
    return () => {
      if (el) void loadPlotly().then((P) => P.purge(el));
    };
  }, []);

  return (
    <figure className="plot" data-testid={testId} aria-label={label} ref={fig}>
      {error ? <p className="muted">{error}</p> : <div ref={ref} style={{ minHeight: fittedHeight }} />}
    </figure>
  );
}

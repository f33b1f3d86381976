/**
 * Plotly theme that follows the page's light / dark scheme. Colours come from the stylesheet's
 * CSS variables (one source of truth); `usePrefersDark` re-renders when the system scheme flips.
 */
import type { Layout } from 'plotly.js-dist-min';
import { useSyncExternalStore } from 'react';

const QUERY = '(prefers-color-scheme: dark)';

function subscribe(onChange: () => void): () => void {
  if (typeof matchMedia !== 'function') return () => {};
  const mq = matchMedia(QUERY);
  mq.addEventListener('change', onChange);
  return () => mq.removeEventListener('change', onChange);
}

const getDark = () => typeof matchMedia === 'function' && matchMedia(QUERY).matches;

/** True while the system asks for dark mode. */
export function usePrefersDark(): boolean {
  return useSyncExternalStore(subscribe, getDark, () => false);
}

export interface PlotColors {
  text: string;
  muted: string;
  grid: string;
  surface: string;
  accent: string;
  ok: string;
  fail: string;
}

/** Fallbacks equal to the stylesheet's values, used where no document is there to read. */
const FALLBACK: Record<'light' | 'dark', PlotColors> = {
  light: {
    text: '#1c2430',
    muted: '#5b6675',
    grid: '#dde2e8',
    surface: '#ffffff',
    accent: '#2563eb',
    ok: '#15803d',
    fail: '#b91c1c',
  },
  dark: {
    text: '#e4e9ef',
    muted: '#96a2b1',
    grid: '#2a3441',
    surface: '#171e26',
    accent: '#60a5fa',
    ok: '#4ade80',
    fail: '#f87171',
  },
};

/** The current scheme's colours, read from the CSS variables on :root. */
export function plotColors(dark: boolean): PlotColors {
  const fb = FALLBACK[dark ? 'dark' : 'light'];
  if (typeof document === 'undefined') return fb;
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', fb.text),
    muted: v('--muted', fb.muted),
    grid: v('--border', fb.grid),
    surface: v('--surface', fb.surface),
    accent: v('--accent', fb.accent),
    ok: v('--ok', fb.ok),
    fail: v('--fail', fb.fail),
  };
}

/** The charts' font (the page's sans-serif); `Plot` measures titles and legend entries in it. */
export const PLOT_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Base layout: transparent background, the page's font and colours, compact margins. */
export function themedLayout(c: PlotColors, layout: Partial<Layout> = {}): Partial<Layout> {
  const axis = {
    color: c.muted,
    gridcolor: c.grid,
    linecolor: c.grid,
    zerolinecolor: c.grid,
    automargin: true,
  };
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: PLOT_FONT, color: c.text, size: 12 },
    margin: { l: 56, r: 16, t: 32, b: 48 },
    hoverlabel: { bgcolor: c.surface, bordercolor: c.grid, font: { color: c.text } },
    legend: { orientation: 'h', y: 1.12, x: 0, font: { color: c.text } },
    ...layout,
    xaxis: { ...axis, ...layout.xaxis },
    yaxis: { ...axis, ...layout.yaxis },
  };
}

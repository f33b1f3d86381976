/** Page start (presets, the link's config, history), the config and its URL hash, history actions. */

import { withoutName } from '../describe';
import { deleteHistory, listHistory } from '../history';
import { configFromHash, configToHash, parseImport, viewOf } from '../results';
import { detectWebGPU } from '../webgpu-support';
import type { Config, Ctx, Preset } from './types';

let initialised = false;
/** Whether the worker was started (null: not tried yet; false: no WebGPU here). */
let engineStarted: boolean | null = null;

function writeHash(config: Config) {
  const hash = configToHash(config);
  if (location.hash !== hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
}

/** The preset's name stays only on the preset's own config: an edited config gets a description. */
function named(config: Config, preset: Config | null): Config {
  if (!('name' in config)) return config;
  if (preset && JSON.stringify(withoutName(config)) === JSON.stringify(withoutName(preset))) return config;
  return withoutName(config) as Config;
}

export function bootActions(ctx: Ctx) {
  const { set, get } = ctx;

  function loadLinkConfig(raw: unknown, autorun: boolean): boolean {
    const imported = parseImport(JSON.stringify(raw), "The link's config");
    if (imported.type !== 'config') return false;
    set({ presetFile: null, presetConfig: null, focus: 0 });
    get().setConfig(imported.config);
    if (autorun) get().runNow();
    return true;
  }

  return {
    startEngine(): boolean {
      if (engineStarted !== null) return engineStarted;
      const support = detectWebGPU();
      engineStarted = support.ok;
      if (!support.ok) set({ engine: 'unavailable', unavailable: support.reason });
      else ctx.client();
      return engineStarted;
    },

    async init() {
      // Once per page (React StrictMode runs effects twice in development).
      if (initialised) return;
      initialised = true;
      if (!get().startEngine()) return;
      listHistory()
        .then((history) => set({ history }))
        .catch((e) => get().addError(`Run history is unavailable: ${(e as Error).message}`));
      const presetList = fetch('./experiments/index.json')
        .then(async (res) => ((await res.json()) as { presets: Preset[] }).presets)
        .catch((e: unknown) => {
          get().addError(`Could not load the preset list: ${(e as Error).message}`);
          return [] as Preset[];
        });
      // ?autorun=0 opens the page without starting a run (tests, slow machines).
      const autorun = new URLSearchParams(location.search).get('autorun') !== '0';
      // A link pasted into this open tab changes only the hash: load that config too.
      addEventListener('hashchange', () => {
        const cfg = get().config;
        if (cfg && location.hash === configToHash(cfg)) return;
        try {
          const next = configFromHash(location.hash);
          if (next) loadLinkConfig(next, autorun);
        } catch (e) {
          get().addError((e as Error).message);
        }
      });
      // The link's config first, before the preset list arrives: its live request goes out now.
      let fromLink = false;
      try {
        const fromHash = configFromHash(location.hash);
        fromLink = Boolean(fromHash && loadLinkConfig(fromHash, autorun));
      } catch (e) {
        get().addError((e as Error).message);
      }
      const presets = await presetList;
      set({ presets });
      if (!fromLink && presets[0]) await get().selectPreset(presets[0].file, autorun);
    },

    async selectPreset(file: string, autoRun = false) {
      try {
        const res = await fetch(`./experiments/${file}`);
        const config = (await res.json()) as Config;
        set({ presetFile: file, presetConfig: config, focus: 0 });
        get().setConfig(config);
        if (autoRun) get().runNow();
      } catch (e) {
        get().addError(`Could not load the preset ${file}: ${(e as Error).message}`);
      }
    },

    setConfig(config: Config) {
      const next = named(config, get().presetConfig);
      set({ config: next });
      writeHash(next);
      ctx.requestLive();
    },

    setFocus(i: number) {
      set({ focus: i });
      ctx.requestLive();
    },

    openHistory(id: string) {
      const e = get().history.find((h) => h.id === id);
      if (!e) return;
      set({ view: viewOf(e.result), result: e.result, resultSource: 'history', run: null, running: null });
      get().setConfig(e.result.config as Config);
    },

    async removeHistory(id: string) {
      await deleteHistory(id);
      set({ history: await listHistory(), compareId: get().compareId === id ? null : get().compareId });
    },

    setCompare(id: string | null) {
      set({ compareId: id });
    },

    addError(msg: string) {
      // The same message twice is one banner row.
      set((s) => ({ errors: s.errors.includes(msg) ? s.errors : [...s.errors, msg] }));
    },

    dismissError(i: number) {
      set((s) => ({ errors: s.errors.filter((_, j) => j !== i) }));
    },
  };
}

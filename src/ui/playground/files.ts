/** Files in and out: Export JSON, Import JSON (result or config), a dropped matrix or JSON file. */
import { readNpy } from '../../data/npy';
import { readSafetensorsMatrix } from '../../data/safetensors';
import { errorAdvice } from '../describe';
import { parseImport, viewOf } from '../results';
import type { Config, Ctx } from './types';

/** rows × cols of a matrix file, read from its bytes (throws the reader's message when invalid). */
export function matrixShape(bytes: Uint8Array, name: string): { rows: number; cols: number } {
  const m = name.toLowerCase().endsWith('.npy')
    ? readNpy(bytes, name)
    : readSafetensorsMatrix(bytes, undefined, name);
  return { rows: m.rows, cols: m.cols };
}

export function fileActions(ctx: Ctx) {
  const { set, get } = ctx;
  return {
    exportJson() {
      const r = get().result;
      if (!r) return;
      const blob = new Blob([`${JSON.stringify(r, null, 2)}\n`], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${r.id}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },

    async importFile(file: File) {
      get().importText(await file.text(), file.name);
    },

    importText(text: string, name: string) {
      let imported: ReturnType<typeof parseImport>;
      try {
        imported = parseImport(text, name);
      } catch (e) {
        const msg = (e as Error).message;
        const advice = errorAdvice(msg);
        get().addError(`${msg}${advice ? ` — ${advice}` : ''} (nothing changed)`);
        return;
      }
      if (imported.type === 'result') {
        const r = imported.result;
        set({ view: viewOf(r), result: r, resultSource: 'import', run: null, running: null, focus: 0 });
        get().setConfig(r.config as Config);
      } else {
        set({ focus: 0 });
        get().setConfig(imported.config);
      }
    },

    async dropFile(file: File) {
      const lower = file.name.toLowerCase();
      if (lower.endsWith('.json')) return get().importFile(file);
      if (!lower.endsWith('.npy') && !lower.endsWith('.safetensors')) {
        get().addError(`${file.name}: drop a .npy or .safetensors matrix, or a result / config .json`);
        return;
      }
      const bytes = new Uint8Array(await file.arrayBuffer());
      let shape: { rows: number; cols: number };
      try {
        shape = matrixShape(bytes, file.name);
      } catch (e) {
        get().addError(`${(e as Error).message} (nothing changed: drop another file)`);
        return;
      }
      const format = lower.endsWith('.npy') ? 'npy' : 'safetensors';
      const cfg = get().config;
      const base: Config =
        cfg?.kind === 'approximation'
          ? cfg
          : {
              schema: 'smx/experiment@1',
              kind: 'approximation',
              seed: 0,
              methods: [{ family: 'lowrank', rank: 4 }],
            };
      // Methods that cannot fit the new shape are brought inside it (rank ≤ min side).
      const side = Math.min(shape.rows, shape.cols);
      const methods = ((base.methods as Array<Record<string, unknown>>) ?? []).map((m) =>
        typeof m.rank === 'number' && m.rank > side ? { ...m, rank: side } : m,
      );
      set({ dropped: { name: file.name, bytes, ...shape } });
      get().setConfig({ ...base, methods, matrix: { source: 'bytes', name: file.name, format } });
    },
  };
}

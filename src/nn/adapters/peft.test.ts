import { describe, expect, it } from 'vitest';
import { baseLayer, input, maxDiff, outputOf } from '../../../tests/unit/adapter-kit';
import { getGpu } from '../../../tests/unit/gpu';
import { linearRef } from '../../reference/adapters';
import { Rng } from '../../tensor/rng';
import { OptimizerSpec } from '../optim/schema';
import { ADAPTER_NAMES, createAdapter } from '.';
import { applyExport, exportAdapter } from './peft';
import { fitRegression } from './regression';

describe('PEFT-loadable export', () => {
  it('every adapter round-trips: files read back and applied to the base weights reproduce the fine-tuned outputs within 1e-5', async () => {
    const gpu = await getGpu();
    const [out, inp, r] = [6, 4, 2];
    const base = baseLayer(out, inp, 21);
    const x = input(gpu, 3, inp, 2);
    const y = input(gpu, 3, out, 3);
    const xs = Float64Array.from(await x.read());
    const grad = new Rng(5).normals(out * inp);
    for (const adapter of ADAPTER_NAMES) {
      const a = await createAdapter(
        gpu,
        base,
        // HiRA has no α (refuses one); every other method with α ≠ r, so scaling reaches the export
        adapter === 'hira' ? { adapter, rank: r } : { adapter, rank: r, alpha: 3 },
        { rng: new Rng(1), grad, lr: 0.01 },
      );
      await fitRegression(a, x, y, {
        optimizer: OptimizerSpec.parse({ name: 'adamw', lr: 0.02, weightDecay: 0 }),
        steps: 2,
      });
      const files = await exportAdapter([{ path: 'layers.0.q_proj', adapter: a }], {
        baseModelName: 'smx-test',
        taskType: null,
        baseState: {
          'layers.0.q_proj.weight': { shape: [out, inp], data: base.weight },
          'layers.0.q_proj.bias': { shape: [out], data: base.bias as Float32Array },
        },
      });
      const loraShaped = !['hira', 'compacter', 'full'].includes(adapter);
      expect(Object.keys(files).sort(), adapter).toEqual(
        loraShaped ? ['adapter_config.json', 'adapter_model.safetensors'] : ['model.safetensors'],
      );
      if (loraShaped) {
        const cfg = JSON.parse(files['adapter_config.json'] as string);
        expect(cfg).toMatchObject({
          peft_type: 'LORA',
          bias: 'none',
          fan_in_fan_out: false,
          target_modules: ['q_proj'],
          init_lora_weights: true,
        });
        expect(cfg.r).toBe(['pissa', 'olora', 'nlora', 'inttune'].includes(adapter) ? 2 * r : r);
      }
      const w = applyExport(files, { 'layers.0.q_proj': base })['layers.0.q_proj'];
      const want = await outputOf(a, x);
      expect(await maxDiff(linearRef(xs, w, base.bias ?? null, 3, out, inp), want), adapter).toBeLessThan(
        1e-5,
      );
      a.dispose();
    }
    x.dispose();
    y.dispose();
  });
});

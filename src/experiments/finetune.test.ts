import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { readSafetensorsAll } from '../data/safetensors';
import { runToResult } from '../runtime/runner';
import type { FinetuneSummary } from './finetune.schema';

const TS = {
  schema: 'smx/experiment@1',
  kind: 'finetune',
  seed: 3,
  base: { type: 'teacher-student', rows: 6, cols: 4, rank: 1, samples: 32 },
  steps: 6,
  batch: 8,
  evalEvery: 3,
  lr: 0.02,
  methods: [{ adapter: 'lora', rank: 1 }, { adapter: 'pissa', rank: 1 }, { adapter: 'full' }],
};

describe('finetune', () => {
  it('teacher–student: streams loss/<label> and valLoss/<label>, the summary fields, PEFT files per label; same seed → same JSON', async () => {
    const gpu = await getGpu();
    const files: Record<string, Uint8Array | string> = {};
    const run = (save = false) =>
      runToResult(TS, {
        gpu,
        env: { runtime: 'node' },
        ...(save ? { saveFile: (p: string, d: Uint8Array | string) => void (files[p] = d) } : {}),
      });
    const r = await run(true);
    expect(r.status).toBe('finished');
    expect(Object.keys(r.series).sort()).toEqual([
      'loss/full',
      'loss/lora-r1',
      'loss/pissa-r1',
      'trainableParams/full',
      'trainableParams/lora-r1',
      'trainableParams/pissa-r1',
      'valLoss/full',
      'valLoss/lora-r1',
      'valLoss/pissa-r1',
    ]);
    expect(r.series['trainableParams/lora-r1']).toEqual([{ step: 0, value: 10 }]);
    expect(r.series['loss/lora-r1'].length).toBe(6);
    const s = r.summary as FinetuneSummary;
    expect(s.methods.map((m) => [m.label, m.adapter, m.rank, m.trainableParams])).toEqual([
      ['lora-r1', 'lora', 1, 10],
      ['pissa-r1', 'pissa', 1, 10],
      ['full', 'full', 4, 24],
    ]);
    // LoRA's step 0 is the base exactly; PiSSA's within f32 rounding
    expect(s.methods[0].step0Loss).toBe(s.methods[2].step0Loss);
    expect(Math.abs(s.methods[1].step0Loss - s.methods[0].step0Loss)).toBeLessThan(1e-5);
    expect(Object.keys(files).sort()).toEqual([
      'full/model.safetensors',
      'lora-r1/adapter_config.json',
      'lora-r1/adapter_model.safetensors',
      'pissa-r1/adapter_config.json',
      'pissa-r1/adapter_model.safetensors',
    ]);
    expect(Object.keys(readSafetensorsAll(files['lora-r1/adapter_model.safetensors'] as Uint8Array))).toEqual(
      ['base_model.model.linear.lora_A.weight', 'base_model.model.linear.lora_B.weight'],
    );
    const again = await run();
    expect(again.series).toEqual(r.series);
  });

  it('bad input is refused naming the field', async () => {
    const gpu = await getGpu();
    const bad = await runToResult(
      { ...TS, methods: [{ adapter: 'lora', rank: 9 }] },
      { gpu, env: { runtime: 'node' } },
    ).catch((e) => e);
    expect(String(bad?.message ?? JSON.stringify(bad))).toMatch(/methods\[0\]\.rank|rank 9/);
  });

  it('shipped base: loads public/models weights (no pretraining in the run); LoRA and Compacter start at the base; Compacter A_i counted once', async () => {
    const gpu = await getGpu();
    const r = await runToResult(
      {
        schema: 'smx/experiment@1',
        kind: 'finetune',
        seed: 1,
        base: { type: 'shipped', model: 'male-names-tiny' },
        corpus: 'female-names',
        steps: 1,
        batch: 2,
        evalEvery: 1,
        methods: [
          { adapter: 'lora', rank: 1 },
          { adapter: 'compacter', rank: 2 },
        ],
      },
      { gpu, env: { runtime: 'node' } },
    );
    expect(r.status).toBe('finished');
    expect(r.series.pretrainLoss).toBeUndefined();
    const s = r.summary as FinetuneSummary;
    expect(s.base).toMatch(/shipped male-names-tiny .*pretrained on male-names/);
    // q_proj and v_proj of 2 blocks (32 × 32): LoRA r(in + out) each; Compacter (in + out) each + n³ once
    expect(s.methods.map((m) => m.trainableParams)).toEqual([4 * 64, 4 * 64 + 8]);
    // both start exactly at the base: the same first-batch loss
    expect(s.methods[1].step0Loss).toBe(s.methods[0].step0Loss);
  });

  it('a corpus with characters the shipped model does not know is refused naming corpus', async () => {
    const gpu = await getGpu();
    const bad = await runToResult(
      {
        schema: 'smx/experiment@1',
        kind: 'finetune',
        base: { type: 'shipped', model: 'male-names-tiny' },
        corpus: 'sotu',
        steps: 1,
      },
      { gpu, env: { runtime: 'node' } },
    ).catch((e) => e);
    expect(bad?.path).toBe('corpus');
    expect(String(bad?.message)).toMatch(/not in the vocabulary/);
  });
});

/**
 * Controls of the fine-tune view (kind `finetune`): which adapters run (one checkbox each), their
 * rank, the learning rate and the number of steps. Every control is labelled (its accessible name).
 * Edits go to the config; Run starts them.
 */
import { useId } from 'react';
import { ADAPTERS } from '../../experiments/finetune.schema';
import { type Config, usePlayground } from '../playground';
import { LearningRateField } from './LearningRateField';
import { SliderField } from './SliderField';

type Method = { adapter: string; rank?: number; lr?: number } & Record<string, unknown>;

const NAMES: Record<string, string> = {
  full: 'full fine-tuning',
  lora: 'LoRA',
  rslora: 'rsLoRA',
  pissa: 'PiSSA',
  olora: 'OLoRA',
  slora: 'SLoRA',
  nlora: 'NLoRA',
  inttune: 'IntTune',
  'lora-xs': 'LoRA-XS',
  'lora-sb': 'LoRA-SB',
  hira: 'Hadamard (HiRA form)',
  compacter: 'Compacter (PHM)',
};

export function FinetuneControls({ config }: { config: Config }) {
  const setConfig = usePlayground((s) => s.setConfig);
  const groupId = useId();
  const methods = (config.methods as Method[] | undefined) ?? [];
  const on = new Set(methods.map((m) => m.adapter));
  const rank = methods.find((m) => m.adapter !== 'full')?.rank ?? 4;
  const opt = (config.optimizer as { lr?: number } | undefined) ?? {};
  const lr = Number(config.lr ?? opt.lr ?? 0.001);
  const set = (patch: Record<string, unknown>) => setConfig({ ...config, ...patch });
  const toggle = (adapter: string, checked: boolean) => {
    const next = checked
      ? [...methods, adapter === 'full' ? { adapter } : { adapter, rank }]
      : methods.filter((m) => m.adapter !== adapter);
    // order as the list below, so labels and colours do not depend on click order
    const order = (a: string) => ADAPTERS.indexOf(a as (typeof ADAPTERS)[number]);
    if (next.length) set({ methods: next.sort((a, b) => order(a.adapter) - order(b.adapter)) });
  };
  return (
    <>
      <fieldset className="field checkboxes" aria-labelledby={groupId}>
        <legend id={groupId}>Methods</legend>
        {ADAPTERS.map((a) => (
          <label key={a} className="checkbox">
            <input
              type="checkbox"
              checked={on.has(a)}
              disabled={on.has(a) && on.size === 1}
              onChange={(e) => toggle(a, e.target.checked)}
            />{' '}
            {NAMES[a] ?? a}
          </label>
        ))}
      </fieldset>
      <SliderField
        label="Rank"
        value={rank}
        min={1}
        max={16}
        step={1}
        hint="r of every adapter (Compacter: the PHM dimension n, which must divide the layer sizes); full fine-tuning has none."
        onChange={(v) => set({ methods: methods.map((m) => (m.adapter === 'full' ? m : { ...m, rank: v })) })}
      />
      <LearningRateField
        value={lr}
        min={0.00001}
        step={0.0005}
        // one lr for every method: per-method lrs are dropped
        onChange={(v) => set({ lr: v, methods: methods.map(({ lr: _, ...m }) => m) })}
      />
      <SliderField
        label="Steps"
        value={Number(config.steps ?? 200)}
        min={5}
        max={1000}
        step={5}
        onChange={(v) => set({ steps: v })}
      />
    </>
  );
}

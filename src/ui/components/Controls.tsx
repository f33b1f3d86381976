import { useId } from 'react';
import { useSelfCheck } from '../selfcheck-store';

/** Left-column controls: everything here works (no placeholders). */
export function Controls() {
  const seed = useSelfCheck((s) => s.seed);
  const setSeed = useSelfCheck((s) => s.setSeed);
  const start = useSelfCheck((s) => s.start);
  const phase = useSelfCheck((s) => s.phase);
  const busy = phase === 'starting' || phase === 'running';
  const seedId = useId();
  return (
    <section className="panel controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Self-check</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          start(seed);
        }}
      >
        <label htmlFor={seedId}>Random seed</label>
        <input
          id={seedId}
          data-testid="seed-input"
          type="number"
          step={1}
          min={0}
          value={seed}
          onChange={(e) => setSeed(Number(e.target.value))}
        />
        <p className="muted small">The seed draws every input matrix, so a run can be repeated exactly.</p>
        <button type="submit" className="primary" data-testid="run-selfcheck" disabled={busy}>
          {busy ? 'Running…' : 'Run self-check'}
        </button>
      </form>
    </section>
  );
}

import { useEffect, useRef, useState } from 'react';
import { usePlayground } from '../playground';
import { etaSeconds } from '../results';

function fmtSeconds(s: number): string {
  return s < 60 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Run / Stop, progress with ETA, Export / Import JSON, Copy link, Re-run. */
export function RunBar() {
  const run = usePlayground((s) => s.run);
  const config = usePlayground((s) => s.config);
  const result = usePlayground((s) => s.result);
  const source = usePlayground((s) => s.resultSource);
  const engine = usePlayground((s) => s.engine);
  const { runNow, stop, exportJson, importFile } = usePlayground.getState();
  const fileRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [, tick] = useState(0);
  const running = run?.status === 'running';
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => tick((x) => x + 1), 500);
    return () => clearInterval(t);
  }, [running]);
  const elapsed = run ? (running ? performance.now() : run.now) - run.startedAt : 0;
  const eta = run && running ? etaSeconds(run.fraction, elapsed) : null;
  const copyLink = async () => {
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Link copied.');
    } catch {
      setCopied('Copy this link from the address bar (the clipboard is not available here).');
    }
  };
  return (
    <section className="panel run-bar" aria-label="Run">
      <div className="button-row">
        <button
          type="button"
          className="primary"
          onClick={runNow}
          disabled={running || !config || engine === 'unavailable'}
        >
          Run
        </button>
        <button type="button" onClick={stop} disabled={!running}>
          Stop
        </button>
        {source === 'import' || source === 'history' ? (
          <button type="button" onClick={runNow} disabled={running}>
            Re-run
          </button>
        ) : null}
        <button type="button" onClick={exportJson} disabled={!result}>
          Export JSON
        </button>
        <button type="button" onClick={() => fileRef.current?.click()}>
          Import JSON
        </button>
        <input
          ref={fileRef}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void importFile(f);
            e.target.value = '';
          }}
        />
        <button type="button" onClick={() => void copyLink()} disabled={!config}>
          Copy link
        </button>
      </div>
      {copied ? (
        <p className="muted small" role="status">
          {copied}
        </p>
      ) : null}
      {run ? (
        <div className="run-status" data-testid="run-status" data-status={run.status}>
          <progress max={1} value={run.fraction} aria-label="Run progress" />
          <span className="small">
            {run.status === 'running'
              ? `${Math.round(run.fraction * 100)}% · ${run.message}${eta !== null ? ` · about ${fmtSeconds(eta)} left` : ''}`
              : `${run.status} in ${fmtSeconds(elapsed / 1000)}`}
          </span>
        </div>
      ) : source === 'import' ? (
        <p className="small muted" data-testid="run-status" data-status="imported">
          Imported result shown (not re-run). Press Re-run to run its config here.
        </p>
      ) : null}
    </section>
  );
}

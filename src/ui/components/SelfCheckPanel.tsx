import type { CheckResult } from '../../runtime/selfcheck';
import { formatError, formatMs } from '../format';
import { doneCount, totalCount, useSelfCheck } from '../selfcheck-store';

function Verdict() {
  const phase = useSelfCheck((s) => s.phase);
  const passed = useSelfCheck((s) => s.passed);
  const done = useSelfCheck(doneCount);
  const total = useSelfCheck(totalCount);
  if (phase === 'done')
    return (
      <span className={`verdict ${passed ? 'pass' : 'fail'}`} data-testid="selfcheck-status">
        {passed ? 'PASS' : 'FAIL'}
      </span>
    );
  if (phase === 'starting' || phase === 'running')
    return (
      <span className="verdict running" data-testid="selfcheck-status" aria-live="polite">
        Running {total ? `${done}/${total}` : '…'}
      </span>
    );
  return (
    <span className="verdict idle" data-testid="selfcheck-status">
      {phase === 'error' ? 'Stopped' : 'Not run'}
    </span>
  );
}

function Row({ name, result, running }: { name: string; result?: CheckResult; running: boolean }) {
  const state = result ? (result.ok ? 'ok' : 'fail') : running ? 'running' : 'pending';
  return (
    <tr data-testid="check-row" data-ok={result ? String(result.ok) : undefined} className={`row-${state}`}>
      <td>
        <div className="check-name">{name}</div>
        {result && <div className="check-detail">{result.detail}</div>}
      </td>
      <td className="num" data-testid="check-error">
        {result ? formatError(result.maxError) : ''}
      </td>
      <td className="num">{result ? formatError(result.bound) : ''}</td>
      <td className="num muted">{result ? formatMs(result.ms) : ''}</td>
      <td className={`state state-${state}`}>
        {state === 'ok' ? '✓ ok' : state === 'fail' ? '✗ fail' : state === 'running' ? 'running…' : ''}
      </td>
    </tr>
  );
}

export function SelfCheckPanel() {
  const names = useSelfCheck((s) => s.names);
  const results = useSelfCheck((s) => s.results);
  const current = useSelfCheck((s) => s.current);
  const totalMs = useSelfCheck((s) => s.totalMs);
  const done = useSelfCheck(doneCount);
  const total = useSelfCheck(totalCount);
  return (
    <section className="panel" data-testid="selfcheck-panel" aria-labelledby="selfcheck-title">
      <div className="panel-head">
        <h2 id="selfcheck-title">Kernel self-check</h2>
        <Verdict />
      </div>
      <p className="muted">
        Each kernel runs on this device and is compared with a float64 CPU oracle. Error = max |got − want| /
        (1 + max |want|).
      </p>
      {total > 0 && done < total && (
        <progress
          value={done}
          max={total}
          data-testid="selfcheck-progress"
          aria-label="Self-check progress"
        />
      )}
      {names.length > 0 && (
        <table className="checks">
          <thead>
            <tr>
              <th>Check</th>
              <th className="num">Error</th>
              <th className="num">Bound</th>
              <th className="num">Time</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {names.map((n, i) => (
              <Row key={n} name={n} result={results[i]} running={current === i} />
            ))}
          </tbody>
        </table>
      )}
      {totalMs !== null && (
        <p className="muted small">
          {total} checks in {formatMs(totalMs)} (including shader compilation).
        </p>
      )}
    </section>
  );
}

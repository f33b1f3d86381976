import { usePlayground } from '../playground';

/** Saved runs (IndexedDB): open, compare (overlay on the current plots), delete. */
export function HistoryPanel() {
  const history = usePlayground((s) => s.history);
  const compareId = usePlayground((s) => s.compareId);
  const { openHistory, removeHistory, setCompare } = usePlayground.getState();
  return (
    <section className="panel history" aria-labelledby="history-title" data-testid="history">
      <h2 id="history-title">Run history</h2>
      {history.length === 0 ? (
        <p className="muted small">Finished runs are kept here across reloads.</p>
      ) : null}
      <ul className="history-list">
        {history.map((h) => (
          <li key={h.id} data-testid="history-item" data-status={h.status}>
            <div className="small">
              <strong>{h.kind}</strong> · {h.status}
              {h.interrupted ? ' (device lost)' : ''} · {new Date(h.savedAt).toLocaleTimeString()}
            </div>
            <div className="muted small history-name">{h.name}</div>
            <div className="button-row small-buttons">
              <button type="button" onClick={() => openHistory(h.id)}>
                {h.interrupted ? 'Open to restart' : 'Open'}
              </button>
              <button
                type="button"
                aria-pressed={compareId === h.id}
                onClick={() => setCompare(compareId === h.id ? null : h.id)}
              >
                Compare
              </button>
              <button
                type="button"
                onClick={() => void removeHistory(h.id)}
                aria-label={`Delete run ${h.id}`}
              >
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

import { usePlayground } from '../playground';

/** Device lost: what happened, that a new device is coming, and a restart for the interrupted run. */
export function DeviceBanner() {
  const lost = usePlayground((s) => s.deviceLost);
  const run = usePlayground((s) => s.run);
  const { runNow } = usePlayground.getState();
  if (!lost) return null;
  return (
    <div className="banner banner-warning" role="alert" data-testid="device-banner">
      <div className="banner-row">
        <span className="banner-text">{lost}</span>
        {run?.status === 'interrupted' ? (
          <button type="button" onClick={runNow}>
            Restart the interrupted run
          </button>
        ) : null}
        <button
          type="button"
          className="link-button"
          aria-label="Dismiss"
          onClick={() => usePlayground.setState({ deviceLost: null })}
        >
          ×
        </button>
      </div>
    </div>
  );
}

import { useMemo } from 'react';
import { PANELS } from '../panels';
import { LivePanel } from '../panels/LivePanel';
import { usePlayground } from '../playground';
import { hasContent } from '../playground/run';
import { viewOf } from '../results';

/**
 * The live panel (approximation) and the result panel of the shown view's kind. A run in progress
 * replaces the last result only once it has something to draw, so an input error never blanks it.
 */
export function ResultArea() {
  const last = usePlayground((s) => s.view);
  const running = usePlayground((s) => s.running);
  const view = hasContent(running) ? running : last;
  const history = usePlayground((s) => s.history);
  const compareId = usePlayground((s) => s.compareId);
  const compare = useMemo(() => {
    const e = history.find((h) => h.id === compareId);
    return e && view && e.result.kind === view.kind ? viewOf(e.result) : null;
  }, [history, compareId, view]);
  const Panel = view ? PANELS[view.kind] : undefined;
  return (
    <>
      <LivePanel />
      {view && Panel ? <Panel view={view} compare={compare} /> : null}
      {view && !Panel ? <p className="muted">No panel for the kind “{view.kind}” yet.</p> : null}
    </>
  );
}

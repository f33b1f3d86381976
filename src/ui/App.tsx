import { useEffect } from 'react';
import { AdapterPanel } from './components/AdapterPanel';
import { Controls } from './components/Controls';
import { DeviceBanner } from './components/DeviceBanner';
import { DropZone } from './components/DropZone';
import { ErrorBanner } from './components/ErrorBanner';
import { ExperimentControls } from './components/ExperimentControls';
import { Header } from './components/Header';
import { HistoryPanel } from './components/HistoryPanel';
import { MethodAbout } from './components/MethodAbout';
import { PresetPicker } from './components/PresetPicker';
import { ResultArea } from './components/ResultArea';
import { RunBar } from './components/RunBar';
import { SelfCheckPanel } from './components/SelfCheckPanel';
import { UnavailablePanel } from './components/UnavailablePanel';
import { markOnce } from './perf';
import { usePlayground } from './playground';
import { SelfCheckErrorChart } from './plots/SelfCheckErrorChart';
import { useSelfCheck } from './selfcheck-store';

export function App() {
  const checkPhase = useSelfCheck((s) => s.phase);
  const engine = usePlayground((s) => s.engine);
  const init = usePlayground((s) => s.init);
  useEffect(() => {
    markOnce('app-mounted');
    void init();
    if (new URLSearchParams(location.search).get('test-hooks') === '1')
      (window as unknown as { __smx: unknown }).__smx = { playground: usePlayground };
  }, [init]);
  const unavailable = checkPhase === 'unavailable' || engine === 'unavailable';
  return (
    <div className="app">
      <Header />
      <ErrorBanner />
      <DeviceBanner />
      {unavailable ? (
        <main>
          <UnavailablePanel />
        </main>
      ) : (
        <DropZone>
          <div className="layout">
            <aside className="sidebar">
              <section className="panel" aria-labelledby="experiment-title">
                <h2 id="experiment-title">Experiment</h2>
                <PresetPicker />
                <ExperimentControls />
              </section>
              <RunBar />
              <HistoryPanel />
              <AdapterPanel />
              <Controls />
            </aside>
            <main className="main">
              <ResultArea />
              <MethodAbout />
              <SelfCheckPanel />
              <SelfCheckErrorChart />
            </main>
          </div>
        </DropZone>
      )}
    </div>
  );
}

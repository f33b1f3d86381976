import { useEffect } from 'react';
import { AdapterPanel } from './components/AdapterPanel';
import { Controls } from './components/Controls';
import { ErrorBanner } from './components/ErrorBanner';
import { Header } from './components/Header';
import { SelfCheckPanel } from './components/SelfCheckPanel';
import { UnavailablePanel } from './components/UnavailablePanel';
import { SelfCheckErrorChart } from './plots/SelfCheckErrorChart';
import { useStore } from './store';

export function App() {
  const phase = useStore((s) => s.phase);
  const start = useStore((s) => s.start);
  useEffect(() => start(), [start]);
  return (
    <div className="app">
      <Header />
      <ErrorBanner />
      {phase === 'unavailable' ? (
        <main>
          <UnavailablePanel />
        </main>
      ) : (
        <div className="layout">
          <aside className="sidebar">
            <Controls />
            <AdapterPanel />
          </aside>
          <main className="main">
            <SelfCheckPanel />
            <SelfCheckErrorChart />
          </main>
        </div>
      )}
    </div>
  );
}

import { useEffect } from 'react';
import { AdapterPanel } from './components/AdapterPanel';
import { ErrorBanner } from './components/ErrorBanner';
import { Header } from './components/Header';
import { SelfCheckPanel } from './components/SelfCheckPanel';
import { UnavailablePanel } from './components/UnavailablePanel';
import { useStore } from './store';

export function App() {
  const phase = useStore((s) => s.phase);
  const start = useStore((s) => s.start);
  useEffect(() => start(), [start]);
  return (
    <div className="app">
      <Header />
      <ErrorBanner />
      <main className="content">
        {phase === 'unavailable' ? (
          <UnavailablePanel />
        ) : (
          <>
            <AdapterPanel />
            <SelfCheckPanel />
          </>
        )}
      </main>
    </div>
  );
}

import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { markOnce } from './ui/perf';
import { usePlayground } from './ui/playground';
import './ui/styles.css';

markOnce('main-start');
// The worker and its device start now, while React mounts (cold start: the first live figure).
usePlayground.getState().startEngine();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
const reactRoot = createRoot(root);
startTransition(() =>
  reactRoot.render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);

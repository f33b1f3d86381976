import { usePlayground } from '../playground';
import { useSelfCheck } from '../selfcheck-store';

/** Shown instead of the playground when this browser cannot give us WebGPU. */
export function UnavailablePanel() {
  const checkReason = useSelfCheck((s) => s.unavailable);
  const runReason = usePlayground((s) => s.unavailable);
  const reason = checkReason ?? runReason;
  return (
    <section className="panel panel-warning" data-testid="webgpu-unavailable" aria-labelledby="unavail-title">
      <h2 id="unavail-title">WebGPU unavailable</h2>
      <p className="reason" data-testid="webgpu-unavailable-reason">
        {reason}
      </p>
      <p>
        The playground runs every kernel on your GPU through WebGPU, so it needs a browser that offers it:
      </p>
      <ul>
        <li>
          <strong>Chrome or Edge 113+</strong> on Windows, macOS and ChromeOS (on by default).
        </li>
        <li>
          <strong>Recent Firefox</strong> (141+ on Windows; other platforms in newer versions or Nightly) and{' '}
          <strong>Safari</strong> 26+ (or Technology Preview with WebGPU enabled).
        </li>
        <li>
          <strong>Linux with Chrome/Chromium:</strong> enable{' '}
          <code>chrome://flags/#enable-unsafe-webgpu</code>, or start the browser with{' '}
          <code>--enable-unsafe-webgpu</code> (on machines without a GPU add{' '}
          <code>--use-webgpu-adapter=swiftshader</code> for the CPU fallback). <code>chrome://gpu</code> tells
          what your browser found.
        </li>
        <li>
          The page must be served over <strong>https</strong> or from <strong>localhost</strong>: browsers
          hide WebGPU from plain-http pages on other addresses.
        </li>
      </ul>
    </section>
  );
}

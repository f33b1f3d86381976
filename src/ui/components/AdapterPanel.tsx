import type { AdapterSummary } from '../../gpu/device';
import { formatBytes } from '../format';
import { usePlayground } from '../playground';
import { useSelfCheck } from '../selfcheck-store';

function Row({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value || '—'}</dd>
    </>
  );
}

function Limits({ limits }: { limits: AdapterSummary['limits'] }) {
  return (
    <dl className="kv" data-testid="adapter-limits">
      <Row
        label="maxStorageBufferBindingSize"
        value={formatBytes(limits.maxStorageBufferBindingSize)}
        testId="limit-maxStorageBufferBindingSize"
      />
      <Row label="maxBufferSize" value={formatBytes(limits.maxBufferSize)} />
      <Row
        label="maxComputeInvocationsPerWorkgroup"
        value={String(limits.maxComputeInvocationsPerWorkgroup)}
        testId="limit-maxComputeInvocationsPerWorkgroup"
      />
      <Row
        label="maxComputeWorkgroupStorageSize"
        value={formatBytes(limits.maxComputeWorkgroupStorageSize)}
      />
      <Row label="maxComputeWorkgroupsPerDimension" value={String(limits.maxComputeWorkgroupsPerDimension)} />
    </dl>
  );
}

export function AdapterPanel() {
  const checkAdapter = useSelfCheck((s) => s.adapter);
  const runAdapter = usePlayground((s) => s.adapter);
  const adapter = checkAdapter ?? runAdapter;
  const phase = useSelfCheck((s) => s.phase);
  return (
    <section className="panel" data-testid="adapter-panel" aria-labelledby="adapter-title">
      <h2 id="adapter-title">Adapter</h2>
      {adapter ? (
        <>
          <dl className="kv">
            <Row label="Vendor" value={adapter.vendor} testId="adapter-vendor" />
            <Row label="Architecture" value={adapter.architecture} testId="adapter-architecture" />
            {adapter.device && <Row label="Device" value={adapter.device} />}
            {adapter.description && <Row label="Description" value={adapter.description} />}
            <Row
              label="Fallback (software) adapter"
              value={adapter.isFallbackAdapter ? 'yes' : 'no'}
              testId="adapter-fallback"
            />
            <Row
              label="timestamp-query"
              value={
                adapter.features.includes('timestamp-query') ? 'yes (GPU timing)' : 'no (wall-clock timing)'
              }
              testId="adapter-timestamps"
            />
          </dl>
          <h3>Limits (as granted to the device)</h3>
          <Limits limits={adapter.limits} />
          <details>
            <summary>Features ({adapter.features.length})</summary>
            <ul className="chips" data-testid="adapter-features">
              {adapter.features.map((f) => (
                <li key={f} className="chip">
                  {f}
                </li>
              ))}
            </ul>
          </details>
          {adapter.isFallbackAdapter && (
            <p className="note">
              A fallback adapter runs WebGPU on the CPU: every result is real, but timings are CPU timings.
            </p>
          )}
        </>
      ) : (
        <p className="muted">{phase === 'unavailable' ? 'No adapter.' : 'Requesting an adapter…'}</p>
      )}
    </section>
  );
}

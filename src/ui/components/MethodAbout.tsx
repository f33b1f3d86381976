import { useMemo } from 'react';
import { familyInfo } from '../../runtime/family-info';
import { usePlayground } from '../playground';
import { familyColour } from '../plots/conventions';

/** One paragraph and the paper for each family the current config uses. */
export function MethodAbout() {
  const config = usePlayground((s) => s.config);
  const info = useMemo(() => familyInfo(), []);
  const families = useMemo(() => {
    if (!config) return [];
    const specs = [
      ...((config.methods as Array<{ family: string }>) ?? []),
      ...((config.kernels as Array<{ family: string }>) ?? []),
      ...((config.entries as Array<{ spec?: { family: string } }>) ?? []).flatMap((e) =>
        e.spec ? [e.spec] : [],
      ),
    ];
    return [...new Set(specs.map((s) => s.family))];
  }, [config]);
  if (families.length === 0) return null;
  return (
    <section className="panel about" aria-labelledby="about-title">
      <h2 id="about-title">Methods</h2>
      {families.map((f) => {
        const d = info.find((x) => x.name === f);
        return (
          <div key={f} className="about-item" data-testid={`about-${f}`}>
            <h3>
              <span className="swatch" style={{ background: familyColour(f) }} aria-hidden="true" /> {f}
            </h3>
            {d ? (
              <>
                <p className="small">{d.about}</p>
                <p className="small">
                  Paper:{' '}
                  <a href={d.paper.url} target="_blank" rel="noreferrer noopener">
                    {d.paper.title}
                  </a>
                </p>
              </>
            ) : null}
          </div>
        );
      })}
    </section>
  );
}

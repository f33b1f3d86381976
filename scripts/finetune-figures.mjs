// Reduce a finetune result with an lrSweep to the figures docs/finetune-figures.md shows, and render
// the table. `node scripts/finetune-figures.mjs reduce r.json --equal-lr 0.02 > docs/results/finetune/x.json`
// keeps, per method and lr, the final training loss (mean of the last 10 steps, and the last step)
// and the final validation loss, the summary (best lr per method), the config and the adapter;
// `node scripts/finetune-figures.mjs table docs/results/finetune/x.json` prints the markdown table.
import { readFileSync } from 'node:fs';

const [cmd, file, ...rest] = process.argv.slice(2);
const fmt = (v) => (Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toPrecision(4));

if (cmd === 'reduce') {
  const at = rest.indexOf('--equal-lr');
  const equalLr = at >= 0 ? Number(rest[at + 1]) : null;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const tries = [];
  for (const key of Object.keys(r.series)) {
    const m = /^loss\/(.+)@lr=(.+)$/.exec(key);
    if (!m) continue;
    const loss = r.series[key].map((p) => p.value);
    const val = r.series[`valLoss/${m[1]}@lr=${m[2]}`] ?? [];
    const tail = loss.slice(-10);
    tries.push({
      label: m[1],
      lr: Number(m[2]),
      step0Loss: loss[0],
      finalLoss: loss[loss.length - 1],
      meanLast10: tail.reduce((a, b) => a + b, 0) / tail.length,
      finalValLoss: val.length ? val[val.length - 1].value : null,
      valCurve: val.map((p) => [p.step, p.value]),
    });
  }
  const out = {
    about: 'Reduced by scripts/finetune-figures.mjs from the full result of the config beside this file.',
    equalLr,
    status: r.status,
    config: r.config,
    adapter: { vendor: r.env.adapter.vendor, architecture: r.env.adapter.architecture },
    runtime: r.env.runtime,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    summary: r.summary,
    tries,
  };
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
} else if (cmd === 'table') {
  const d = JSON.parse(readFileSync(file, 'utf8'));
  const rows = [
    '| method | trainable | init ms | val loss @ equal lr ' +
      `(${d.equalLr}) | train loss @ equal lr (mean of last 10) | best lr | val loss @ best lr | gap to best method @ best lr |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  const bestVal = Math.min(...d.summary.methods.map((m) => m.finalValLoss));
  // relative to the best method's loss; meaningless when that is ~0 (a task some methods solve exactly)
  const gap = (v) =>
    bestVal < 1e-3 * d.summary.baseValLoss ? '—' : `${(((v - bestVal) / bestVal) * 100).toFixed(1)}%`;
  for (const m of d.summary.methods) {
    const eq = d.tries.find((t) => t.label === m.label && t.lr === d.equalLr);
    rows.push(
      `| ${m.label} | ${m.trainableParams} | ${m.initMs.toFixed(0)} | ${eq ? fmt(eq.finalValLoss) : '—'} | ${eq ? fmt(eq.meanLast10) : '—'} | ${m.bestLr} | ${fmt(m.finalValLoss)} | ${gap(m.finalValLoss)} |`,
    );
  }
  process.stdout.write(
    `Base validation loss ${fmt(d.summary.baseValLoss)} (${d.summary.base}).\n\n${rows.join('\n')}\n`,
  );
} else {
  process.stderr.write(
    'usage: node scripts/finetune-figures.mjs reduce <result.json> [--equal-lr LR] | table <reduced.json>\n',
  );
  process.exit(2);
}

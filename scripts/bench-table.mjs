#!/usr/bin/env node
// Markdown tables (as in the README) from a bench-results/bench-*.json file written by npm run bench.
//   node scripts/bench-table.mjs [bench-results/bench-<date>.json]   (default: the newest)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const file =
  process.argv[2] ??
  join(
    'bench-results',
    readdirSync('bench-results')
      .filter((f) => f.endsWith('.json'))
      .sort()
      .pop(),
  );
const report = JSON.parse(readFileSync(file, 'utf8'));
const rows = report.results.filter((r) => !r.error);
const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const find = (g, shape, name) => rows.find((r) => r.group === g && r.shape === shape && r.name === name);

console.log(
  `<!-- ${file}: ${report.date}, ${report.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ''}, ` +
    `${report.adapter.vendor}/${report.adapter.architecture}, GEMM profile ${report.gemmProfile} -->\n`,
);
console.log('| shape | TF.js ms | ours ms (kernel) | TF.js GFLOP/s | ours GFLOP/s | ours ÷ TF.js speed |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const tf of rows.filter((r) => r.group === 'gemm' && r.name === 'tfjs')) {
  const ours = find('gemm', tf.shape, `ours-${report.gemmProfile}`) ?? find('gemm', tf.shape, 'ours');
  if (!ours) continue;
  console.log(
    `| ${tf.shape} | ${f(tf.medianMs, 1)} | ${f(ours.medianMs, 1)} (${ours.note ?? ours.name}) | ` +
      `${f(tf.gflops, 3)} | ${f(ours.gflops, 3)} | ${f(ours.speedup)}× |`,
  );
}
console.log('\n| family | shape | dense ms | structured ms | speedup | flop ratio | efficiency |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows.filter((x) => x.group !== 'gemm' && x.baseline && x.speedup !== undefined)) {
  const base = find(r.group, r.shape, r.baseline);
  if (!base) continue;
  const ratio = base.flops / r.flops;
  console.log(
    `| ${r.name} | ${r.shape} | ${f(base.medianMs, 3)} | ${f(r.medianMs, 3)} | ${f(r.speedup)}× | ${f(ratio, 1)} | ${f(r.speedup / ratio)} |`,
  );
}
if (report.rsvd) {
  const r = report.rsvd;
  console.log(
    `\nRandomized SVD (r = ${r.rank}, niter = ${r.niter}) vs exact Jacobi SVD, ${r.n} × ${r.n}: ` +
      `${f(r.rsvdMedianMs, 0)} ms vs ${f(r.jacobiMedianMs, 0)} ms, ${f(r.speedup, 1)}× faster; ` +
      `error ÷ Eckart–Young optimum ${f(r.rsvdErrorRatio, 5)} (exact: ${f(r.jacobiErrorRatio, 5)}).`,
  );
}

// Fused log-softmax + cross-entropy over the rows of logits [rows, cols] with integer targets
// (i32; a u32 buffer reads the same below 2³¹). Rows whose target equals ignoreIndex or lies
// outside [0, cols) are skipped: no loss, no gradient, not counted.
//
// rows:     one workgroup of 64 per row: stable log-sum-exp (subtract the row max), then
//           stats[2r] = lse, stats[2r + 1] = lse − logits[r, t] (0 when skipped).
// reduce:   one workgroup: loss[0] = Σ row losses (/ count when MEAN), stats[2·rows] = count.
//           Fixed summation order: the same inputs give bit-identical results.
// backward: one workgroup per row: dx = (softmax − onehot(t)) · g[0] (/ count when MEAN).

override MEAN: bool = true;

struct Params {
  rows: u32,
  cols: u32,
  ignoreIndex: i32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read> g: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

var<workgroup> red: array<f32, 64>;

fn reduce_max(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn reduce_sum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn valid_target(t: i32) -> bool {
  return t != params.ignoreIndex && t >= 0 && t < i32(params.cols);
}

@compute @workgroup_size(64)
fn rows(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * nwg.x + wid.x;
  let live = row < params.rows;
  let base = row * params.cols;
  var m = -3.4028234663852886e38;
  if (live) {
    for (var i = lid; i < params.cols; i += 64u) { m = max(m, logits[base + i]); }
  }
  m = reduce_max(lid, m);
  var s = 0.0;
  if (live) {
    for (var i = lid; i < params.cols; i += 64u) { s += exp(logits[base + i] - m); }
  }
  s = reduce_sum(lid, s);
  if (live && lid == 0u) {
    let lse = m + log(s);
    let t = targets[row];
    stats[2u * row] = lse;
    stats[2u * row + 1u] = select(0.0, lse - logits[base + min(u32(max(t, 0)), params.cols - 1u)], valid_target(t));
  }
}

@compute @workgroup_size(64)
fn reduce(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  var c = 0.0;
  for (var r = lid; r < params.rows; r += 64u) {
    s += stats[2u * r + 1u];
    c += select(0.0, 1.0, valid_target(targets[r]));
  }
  s = reduce_sum(lid, s);
  c = reduce_sum(lid, c);
  if (lid == 0u) {
    stats[2u * params.rows] = c;
    loss[0] = select(s, s / max(c, 1.0), MEAN);
  }
}

@compute @workgroup_size(64)
fn backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  let t = targets[row];
  let ok = valid_target(t);
  let lse = stats[2u * row];
  let scale = select(g[0], g[0] / max(stats[2u * params.rows], 1.0), MEAN);
  for (var i = lid; i < params.cols; i += 64u) {
    let p = exp(logits[base + i] - lse);
    let onehot = select(0.0, 1.0, i32(i) == t);
    dx[base + i] = select(0.0, (p - onehot) * scale, ok);
  }
}

// Row-wise cross-entropy from logits (stable log-sum-exp), one invocation per row.
// forward:  loss[n] = logsumexp(z[n, :]) − z[n, t[n]]
// backward: dz[n, j] = g[n] · (softmax(z[n, :])_j − [j = t[n]])
// Targets arrive as f32 holding small non-negative integers.
// (The nn layer's own loss until the tensor library's fused cross-entropy op lands.)

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read> t: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

fn row_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 64u + lid;
}

fn row_max(base: u32) -> f32 {
  var m = z[base];
  for (var j = 1u; j < params.cols; j++) { m = max(m, z[base + j]); }
  return m;
}

fn row_sum_exp(base: u32, m: f32) -> f32 {
  var s = 0.0;
  for (var j = 0u; j < params.cols; j++) { s += exp(z[base + j] - m); }
  return s;
}

@compute @workgroup_size(64)
fn forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let n = row_index(wid, nwg, lid);
  if (n >= params.rows) { return; }
  let base = n * params.cols;
  let m = row_max(base);
  let s = row_sum_exp(base, m);
  out[n] = m + log(s) - z[base + u32(t[n])];
}

@compute @workgroup_size(64)
fn backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let n = row_index(wid, nwg, lid);
  if (n >= params.rows) { return; }
  let base = n * params.cols;
  let m = row_max(base);
  let inv = 1.0 / row_sum_exp(base, m);
  let tgt = u32(t[n]);
  let gn = g[n];
  for (var j = 0u; j < params.cols; j++) {
    let p = exp(z[base + j] - m) * inv;
    out[base + j] = gn * (p - select(0.0, 1.0, j == tgt));
  }
}

// LayerNorm and RMSNorm over the last axis of x [rows, cols], fused forward and backward.
// RMS = false: y = (x − μ)·r·γ + β with r = 1/√(var + eps) (biased variance);
// RMS = true:  y = x·r·γ with r = 1/√(mean(x²) + eps) (μ taken as 0, no β).
// γ and β are optional (flags bit 0: γ bound, bit 1: β bound; otherwise 1 and 0).
//
// forward:  one workgroup of 64 per row; writes y and stats[2r] = μ, stats[2r + 1] = r.
// backward: one workgroup per row: with x̂ = (x − μ)·r and ĝ = dy·γ,
//           dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))  (RMS: without the mean(ĝ) term).
// params:   one invocation per column: dγ[c] = Σ_r dy·x̂, dβ[c] = Σ_r dy, rows in order (no atomics).

override RMS: bool = false;

struct Params {
  rows: u32,
  cols: u32,
  eps: f32,
  flags: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read> dy: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;
@group(0) @binding(7) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(8) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(9) var<storage, read> saved: array<f32>;
@group(0) @binding(10) var<uniform> params: Params;

var<workgroup> red: array<f32, 64>;

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

fn gamma_at(c: u32) -> f32 {
  return select(1.0, gamma[c], (params.flags & 1u) != 0u);
}

fn beta_at(c: u32) -> f32 {
  return select(0.0, beta[c], (params.flags & 2u) != 0u);
}

@compute @workgroup_size(64)
fn forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * nwg.x + wid.x;
  let live = row < params.rows;
  let base = row * params.cols;
  let n = f32(params.cols);
  var mu = 0.0;
  if (!RMS) {
    var s = 0.0;
    if (live) {
      for (var i = lid; i < params.cols; i += 64u) { s += x[base + i]; }
    }
    mu = reduce_sum(lid, s) / n;
  }
  var q = 0.0;
  if (live) {
    for (var i = lid; i < params.cols; i += 64u) {
      let d = x[base + i] - mu;
      q += d * d;
    }
  }
  let r = inverseSqrt(reduce_sum(lid, q) / n + params.eps);
  if (live) {
    for (var i = lid; i < params.cols; i += 64u) {
      y[base + i] = (x[base + i] - mu) * r * gamma_at(i) + beta_at(i);
    }
    if (lid == 0u) {
      stats[2u * row] = mu;
      stats[2u * row + 1u] = r;
    }
  }
}

@compute @workgroup_size(64)
fn backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * nwg.x + wid.x;
  let live = row < params.rows;
  let base = row * params.cols;
  let n = f32(params.cols);
  var mu = 0.0;
  var r = 0.0;
  if (live) {
    mu = saved[2u * row];
    r = saved[2u * row + 1u];
  }
  var sg = 0.0;
  var sgx = 0.0;
  if (live) {
    for (var i = lid; i < params.cols; i += 64u) {
      let gh = dy[base + i] * gamma_at(i);
      sg += gh;
      sgx += gh * (x[base + i] - mu) * r;
    }
  }
  let mg = reduce_sum(lid, sg) / n;
  let mgx = reduce_sum(lid, sgx) / n;
  if (live) {
    for (var i = lid; i < params.cols; i += 64u) {
      let gh = dy[base + i] * gamma_at(i);
      let xh = (x[base + i] - mu) * r;
      dx[base + i] = r * (gh - select(mg, 0.0, RMS) - xh * mgx);
    }
  }
}

@compute @workgroup_size(64)
fn params_grad(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let c = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (c >= params.cols) { return; }
  var a = 0.0;
  var b = 0.0;
  for (var r = 0u; r < params.rows; r++) {
    let g = dy[r * params.cols + c];
    a += g * (x[r * params.cols + c] - saved[2u * r]) * saved[2u * r + 1u];
    b += g;
  }
  dgamma[c] = a;
  dbeta[c] = b;
}

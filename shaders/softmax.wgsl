// Row softmax over the last axis, numerically stable (subtract the row max), and its backward
// dx = y ⊙ (g − Σ g⊙y). One workgroup of 64 invocations per row.

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

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

@compute @workgroup_size(64)
fn forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * nwg.x + wid.x;
  let live = row < params.rows;
  let base = row * params.cols;
  var m = -3.4028234663852886e38;
  if (live) {
    for (var i = lid; i < params.cols; i += 64u) { m = max(m, x[base + i]); }
  }
  m = reduce_max(lid, m);
  var s = 0.0;
  if (live) {
    for (var i = lid; i < params.cols; i += 64u) { s += exp(x[base + i] - m); }
  }
  s = reduce_sum(lid, s);
  if (live) {
    let inv = 1.0 / s;
    for (var i = lid; i < params.cols; i += 64u) { out[base + i] = exp(x[base + i] - m) * inv; }
  }
}

// x holds the softmax output y, g the upstream gradient.
@compute @workgroup_size(64)
fn backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * nwg.x + wid.x;
  let live = row < params.rows;
  let base = row * params.cols;
  var d = 0.0;
  if (live) {
    for (var i = lid; i < params.cols; i += 64u) { d += x[base + i] * g[base + i]; }
  }
  d = reduce_sum(lid, d);
  if (live) {
    for (var i = lid; i < params.cols; i += 64u) { out[base + i] = x[base + i] * (g[base + i] - d); }
  }
}

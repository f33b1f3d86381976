// Reductions over the middle axis of a [outer, len, inner] view of a tensor.
// OP: 0 sum, 1 max, 2 sum of squares, 3 sum of |x|, 4 max of |x|, 5 min.
// The result is multiplied by params.scale (1/len gives a mean) and, when SQRT, square-rooted
// (the Frobenius / L2 norm from a sum of squares).
//
// `rows` (inner == 1): one workgroup of 64 invocations per output, strided loads and a tree in
// workgroup memory. `cols` (inner > 1): one invocation per output, consecutive invocations read
// consecutive addresses.

override OP: u32 = 0u;
override SQRT: bool = false;

struct Params {
  outer: u32,
  len: u32,
  inner: u32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

fn init() -> f32 {
  switch OP {
    case 1u: { return -3.4028234663852886e38; }
    case 5u: { return 3.4028234663852886e38; }
    default: { return 0.0; }
  }
}

fn combine(acc: f32, v: f32) -> f32 {
  switch OP {
    case 1u: { return max(acc, v); }
    case 2u: { return acc + v * v; }
    case 3u: { return acc + abs(v); }
    case 4u: { return max(acc, abs(v)); }
    case 5u: { return min(acc, v); }
    default: { return acc + v; }
  }
}

// Combine two partial results (the squares / abs were applied already).
fn merge(p: f32, q: f32) -> f32 {
  switch OP {
    case 1u, 4u: { return max(p, q); }
    case 5u: { return min(p, q); }
    default: { return p + q; }
  }
}

fn finish(v: f32) -> f32 {
  let s = v * params.scale;
  if (SQRT) { return sqrt(s); }
  return s;
}

var<workgroup> partial: array<f32, 64>;

@compute @workgroup_size(64)
fn rows(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * nwg.x + wid.x;
  // Uniform control flow: every invocation reaches the barriers, out-of-range rows just do no loads.
  var acc = init();
  if (row < params.outer) {
    let base = row * params.len;
    for (var i = lid; i < params.len; i += 64u) {
      acc = combine(acc, x[base + i]);
    }
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid < s) {
      partial[lid] = merge(partial[lid], partial[lid + s]);
    }
    workgroupBarrier();
  }
  if (lid == 0u && row < params.outer) {
    out[row] = finish(partial[0]);
  }
}

@compute @workgroup_size(64)
fn cols(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (o >= params.outer * params.inner) { return; }
  let outerIdx = o / params.inner;
  let innerIdx = o % params.inner;
  let base = outerIdx * params.len * params.inner + innerIdx;
  var acc = init();
  for (var i = 0u; i < params.len; i++) {
    acc = combine(acc, x[base + i * params.inner]);
  }
  out[o] = finish(acc);
}

// Strided copies: the kernel family behind permute, slice, concat and split (rank ≤ 8).
// The contiguous side has shape `shape` (row-major); the strided side is addressed as
// offset + Σ_k idx_k · stride_k.
//
// gather:  out[i] = x[offset + Σ idx_k(i) · stride_k]   (out contiguous: permute, slice)
// scatter: out[offset + Σ idx_k(i) · stride_k] = x[i]   (x contiguous: concat, slice backward)
// One invocation per element of the contiguous side, 2-D grid of workgroups of 256.

struct Params {
  n: u32,
  rank: u32,
  offset: u32,
  shapeLo: vec4<u32>,
  shapeHi: vec4<u32>,
  strideLo: vec4<u32>,
  strideHi: vec4<u32>,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

fn dim(k: u32) -> u32 {
  if (k < 4u) { return params.shapeLo[k]; }
  return params.shapeHi[k - 4u];
}

fn stride(k: u32) -> u32 {
  if (k < 4u) { return params.strideLo[k]; }
  return params.strideHi[k - 4u];
}

fn strided_index(i: u32) -> u32 {
  var rest = i;
  var at = params.offset;
  for (var j = 0u; j < params.rank; j++) {
    let k = params.rank - 1u - j;
    let d = dim(k);
    at += (rest % d) * stride(k);
    rest = rest / d;
  }
  return at;
}

@compute @workgroup_size(256)
fn gather(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= params.n) { return; }
  out[i] = x[strided_index(i)];
}

@compute @workgroup_size(256)
fn scatter(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= params.n) { return; }
  out[strided_index(i)] = x[i];
}

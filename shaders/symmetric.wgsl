// Symmetric matrices stored as their upper triangle (the symmetric similarity W_qk of
// "Reducing the Transformer Architecture to a Minimum", ALGORITHMS.md §7).
//
// A stack of `heads` symmetric d × d matrices is stored as tri [heads, d(d+1)/2]: row i of the
// upper triangle (entries j = i … d − 1) starts at offset(i) = i·d − i(i − 1)/2, so
// W[i, j] = W[j, i] = tri[offset(i) + j − i] for i ≤ j.
//
// from_tri: one invocation per W entry (heads·d·d): W[h, i, j] = tri[h, index(min, max)].
// fold:     the gradient back onto the triangle, one invocation per W entry; only i ≤ j writes:
//           gtri[h, index(i, j)] = G[h, i, j] + G[h, j, i] (i < j), G[h, i, i] on the diagonal.
//           Every triangle entry has exactly one writer: deterministic, no atomics.

struct Params {
  n: u32, // heads · d · d
  d: u32,
  tri: u32, // d(d + 1)/2
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

fn index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 256u + lid;
}

// W entry e = (h·d + i)·d + j as (h, i, j).
fn entry(e: u32) -> vec3<u32> {
  let dd = params.d * params.d;
  let r = e % dd;
  return vec3<u32>(e / dd, r / params.d, r % params.d);
}

fn tri_index(i: u32, j: u32) -> u32 {
  // i ≤ j; i(i − 1)/2 written as (i · (i − 1)) / 2 is exact for i ≥ 1 and 0 for i = 0
  return i * params.d - (i * (i - min(i, 1u))) / 2u + (j - i);
}

@compute @workgroup_size(256)
fn from_tri(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = index(wid, nwg, lid);
  if (e >= params.n) { return; }
  let w = entry(e);
  let h = w.x;
  let i = w.y;
  let j = w.z;
  dst[e] = src[h * params.tri + tri_index(min(i, j), max(i, j))];
}

@compute @workgroup_size(256)
fn fold(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = index(wid, nwg, lid);
  if (e >= params.n) { return; }
  let w = entry(e);
  let h = w.x;
  let i = w.y;
  let j = w.z;
  if (i > j) { return; }
  var g = src[e];
  if (i < j) { g = g + src[(h * params.d + j) * params.d + i]; }
  dst[h * params.tri + tri_index(i, j)] = g;
}

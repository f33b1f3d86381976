// N:M semi-structured sparse product Y = X·Wᵀ (W rows × cols, cols = groups · m).
// In every group of m consecutive inputs of a row, n entries are kept: their values in
// val[(r·groups + g)·n + k] and their positions inside the group (0 ≤ off < m, ascending) packed
// into u32 words, `bits` = 2^lbits bits each, 2^lper per word: entry e sits in word e >> lper at
// bit ((e mod 2^lper) << lbits). 2:4 stores 2 bits per kept value (as NVIDIA's sparse tensor core
// metadata does; here padded to a power of two, 2 bits for m = 4).
//
// The input is packed transposed and padded by sparse.wgsl's `pack` (xt[c·bpad + b]); one
// invocation computes output row r for 4·TILE4 batch rows (TILE4 vec4 accumulators), no barriers.
// The backward passes reuse sparse.wgsl on the CSR / CSC of the same support.

// vec4 accumulators per invocation: 2, 4 or 8 (8, 16 or 32 batch rows), as sparse.wgsl's spmm.
override TILE4: u32 = 4u;

struct Params {
  rows: u32,
  cols: u32,
  batch: u32,
  bp4: u32,
  n: u32,
  m: u32,
  lbits: u32,
  lper: u32,
}

@group(0) @binding(0) var<storage, read> val: array<f32>;
@group(0) @binding(1) var<storage, read> idxw: array<u32>;
@group(0) @binding(2) var<storage, read> xt: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= params.rows) {
    return;
  }
  let n = params.n;
  let m = params.m;
  let groups = params.cols / m;
  let bp4 = params.bp4;
  let q = gid.y * TILE4;
  let lbits = params.lbits;
  let lper = params.lper;
  let emask = (1u << lper) - 1u;
  let omask = (1u << (1u << lbits)) - 1u;
  var e = r * groups * n;
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0);
  var a5 = vec4<f32>(0.0);
  var a6 = vec4<f32>(0.0);
  var a7 = vec4<f32>(0.0);
  for (var g = 0u; g < groups; g++) {
    let c0 = g * m;
    for (var k = 0u; k < n; k++) {
      let off = (idxw[e >> lper] >> ((e & emask) << lbits)) & omask;
      let v = val[e];
      let base = (c0 + off) * bp4 + q;
      a0 += v * xt[base];
      a1 += v * xt[base + 1u];
      if (TILE4 > 2u) {
        a2 += v * xt[base + 2u];
        a3 += v * xt[base + 3u];
      }
      if (TILE4 > 4u) {
        a4 += v * xt[base + 4u];
        a5 += v * xt[base + 5u];
        a6 += v * xt[base + 6u];
        a7 += v * xt[base + 7u];
      }
      e++;
    }
  }
  let rows = params.rows;
  let b0 = q * 4u;
  let nb = min(TILE4 * 4u, params.batch - b0);
  var acc = array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7);
  for (var k = 0u; k < nb; k++) {
    y[(b0 + k) * rows + r] = acc[k / 4u][k % 4u];
  }
}

// Block-diagonal batched products with strided gathers and scatters: the kernels of the
// block-diagonal family and of Monarch (= blockdiag · perm · blockdiag · perm).
//
// W holds nb blocks, block g is R × K, stored row-major at w[g·R·K + r·K + c]
// (TRANS_W: the block is stored K × R, i.e. w[g·R·K + c·R + r] is its (r, c) entry).
//
//   forward:  y[b·yStride + g·obs + r·oes] = Σ_c  W_g[r, c] · x[b·xStride + g·ibs + c·ies]
//   gradW:    dw[g·R·K + r·K + c]          = Σ_b  g[b·yStride + g·obs + r·oes] · x[b·xStride + g·ibs + c·ies]
//
// The block strides (ibs, obs) and element strides (ies, oes) express the permutations: a plain
// block-diagonal matrix has ibs = K, ies = 1, obs = R, oes = 1; Monarch writes its intermediate
// transposed (obs = 1, oes = nb) so that its second factor reads contiguous blocks. The gradient
// w.r.t. x is `forward` with TRANS_W and the in/out strides swapped.
//
// Register-blocked like gemm.wgsl: each invocation owns 4 batch rows × 4 block rows (forward), 4 × 8
// (forward8, for blocks of ≥ 8 rows; forwardFast, vec4 loads when rows and blocks are 4-aligned) or
// 4 × 4 entries of one block (gradW), no workgroup memory, no barriers (SwiftShader punishes them).
// Out-of-range indices are clamped on load and dropped on store: any shape works.

override TRANS_W: bool = false;

struct Params {
  batch: u32,
  nb: u32,
  R: u32,
  K: u32,
  xStride: u32,
  yStride: u32,
  ibs: u32,
  ies: u32,
  obs: u32,
  oes: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> g: array<f32>;
@group(0) @binding(5) var<storage, read_write> dw: array<f32>;

// gid.x: (block, 4-row tile of the block) flattened; gid.y: 4-row tile of the batch.
@compute @workgroup_size(8, 8, 1)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let R = params.R;
  let K = params.K;
  let rTiles = (R + 3u) / 4u;
  let blk = gid.x / rTiles;
  let r0 = (gid.x % rTiles) * 4u;
  let b0 = gid.y * 4u;
  if (blk >= params.nb || b0 >= params.batch) {
    return;
  }
  let wBase = blk * R * K;
  var wRow: array<u32, 4>;
  var xRow: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let r = min(r0 + i, R - 1u);
    if (TRANS_W) { wRow[i] = wBase + r; } else { wRow[i] = wBase + r * K; }
    xRow[i] = min(b0 + i, params.batch - 1u) * params.xStride + blk * params.ibs;
  }
  var wStep = 1u;
  if (TRANS_W) { wStep = R; }
  let ies = params.ies;

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var c = 0u; c < K; c++) {
    let xo = c * ies;
    let xv = vec4<f32>(x[xRow[0] + xo], x[xRow[1] + xo], x[xRow[2] + xo], x[xRow[3] + xo]);
    let wo = c * wStep;
    acc0 += w[wRow[0] + wo] * xv;
    acc1 += w[wRow[1] + wo] * xv;
    acc2 += w[wRow[2] + wo] * xv;
    acc3 += w[wRow[3] + wo] * xv;
  }

  var acc = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  let oBase = blk * params.obs;
  for (var i = 0u; i < 4u; i++) {
    let r = r0 + i;
    if (r >= R) { break; }
    let o = oBase + r * params.oes;
    for (var j = 0u; j < 4u; j++) {
      let b = b0 + j;
      if (b < params.batch) { y[b * params.yStride + o] = acc[i][j]; }
    }
  }
}

// gid.x: (block, 8-row tile of the block) flattened; gid.y: 4-row tile of the batch.
@compute @workgroup_size(8, 8, 1)
fn forward8(@builtin(global_invocation_id) gid: vec3<u32>) {
  let R = params.R;
  let K = params.K;
  let rTiles = (R + 7u) / 8u;
  let blk = gid.x / rTiles;
  let r0 = (gid.x % rTiles) * 8u;
  let b0 = gid.y * 4u;
  if (blk >= params.nb || b0 >= params.batch) {
    return;
  }
  let wBase = blk * R * K;
  var wRow: array<u32, 8>;
  var xRow: array<u32, 4>;
  for (var i = 0u; i < 8u; i++) {
    let r = min(r0 + i, R - 1u);
    if (TRANS_W) { wRow[i] = wBase + r; } else { wRow[i] = wBase + r * K; }
  }
  for (var i = 0u; i < 4u; i++) {
    xRow[i] = min(b0 + i, params.batch - 1u) * params.xStride + blk * params.ibs;
  }
  var wStep = 1u;
  if (TRANS_W) { wStep = R; }
  let ies = params.ies;

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  var acc4 = vec4<f32>(0.0);
  var acc5 = vec4<f32>(0.0);
  var acc6 = vec4<f32>(0.0);
  var acc7 = vec4<f32>(0.0);
  for (var c = 0u; c < K; c++) {
    let xo = c * ies;
    let xv = vec4<f32>(x[xRow[0] + xo], x[xRow[1] + xo], x[xRow[2] + xo], x[xRow[3] + xo]);
    let wo = c * wStep;
    acc0 += w[wRow[0] + wo] * xv;
    acc1 += w[wRow[1] + wo] * xv;
    acc2 += w[wRow[2] + wo] * xv;
    acc3 += w[wRow[3] + wo] * xv;
    acc4 += w[wRow[4] + wo] * xv;
    acc5 += w[wRow[5] + wo] * xv;
    acc6 += w[wRow[6] + wo] * xv;
    acc7 += w[wRow[7] + wo] * xv;
  }

  var acc = array<vec4<f32>, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
  let oBase = blk * params.obs;
  for (var i = 0u; i < 8u; i++) {
    let r = r0 + i;
    if (r >= R) { break; }
    let o = oBase + r * params.oes;
    for (var j = 0u; j < 4u; j++) {
      let b = b0 + j;
      if (b < params.batch) { y[b * params.yStride + o] = acc[i][j]; }
    }
  }
}

@group(0) @binding(6) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> w4: array<vec4<f32>>;

fn put(acc: vec4<f32>, r: u32, b0: u32, oBase: u32) {
  if (r >= params.R) {
    return;
  }
  let o = oBase + r * params.oes;
  for (var j = 0u; j < 4u; j++) {
    if (b0 + j < params.batch) { y[(b0 + j) * params.yStride + o] = acc[j]; }
  }
}

// Aligned fast path (not TRANS_W; ies = 1; K, ibs and xStride multiples of 4): x and w read as vec4
// along c, 4 batch rows × 8 block rows per invocation, named registers only (SwiftShader runs loops
// over local arrays much slower than named values). Same grid as forward8.
@compute @workgroup_size(8, 8, 1)
fn forwardFast(@builtin(global_invocation_id) gid: vec3<u32>) {
  let R = params.R;
  let K4 = params.K / 4u;
  let rTiles = (R + 7u) / 8u;
  let blk = gid.x / rTiles;
  let r0 = (gid.x % rTiles) * 8u;
  let b0 = gid.y * 4u;
  if (blk >= params.nb || b0 >= params.batch) {
    return;
  }
  let rm = R - 1u;
  let wb = blk * R * K4;
  let wo0 = wb + min(r0 + 0u, rm) * K4;
  let wo1 = wb + min(r0 + 1u, rm) * K4;
  let wo2 = wb + min(r0 + 2u, rm) * K4;
  let wo3 = wb + min(r0 + 3u, rm) * K4;
  let wo4 = wb + min(r0 + 4u, rm) * K4;
  let wo5 = wb + min(r0 + 5u, rm) * K4;
  let wo6 = wb + min(r0 + 6u, rm) * K4;
  let wo7 = wb + min(r0 + 7u, rm) * K4;
  let xs = params.xStride / 4u;
  let xb = blk * (params.ibs / 4u);
  let bm = params.batch - 1u;
  let xo0 = min(b0 + 0u, bm) * xs + xb;
  let xo1 = min(b0 + 1u, bm) * xs + xb;
  let xo2 = min(b0 + 2u, bm) * xs + xb;
  let xo3 = min(b0 + 3u, bm) * xs + xb;
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0);
  var a5 = vec4<f32>(0.0);
  var a6 = vec4<f32>(0.0);
  var a7 = vec4<f32>(0.0);
  for (var k = 0u; k < K4; k++) {
    let p0 = x4[xo0 + k];
    let p1 = x4[xo1 + k];
    let p2 = x4[xo2 + k];
    let p3 = x4[xo3 + k];
    let t0 = vec4<f32>(p0.x, p1.x, p2.x, p3.x);
    let t1 = vec4<f32>(p0.y, p1.y, p2.y, p3.y);
    let t2 = vec4<f32>(p0.z, p1.z, p2.z, p3.z);
    let t3 = vec4<f32>(p0.w, p1.w, p2.w, p3.w);
    let q0 = w4[wo0 + k];
    a0 += q0.x * t0 + q0.y * t1 + q0.z * t2 + q0.w * t3;
    let q1 = w4[wo1 + k];
    a1 += q1.x * t0 + q1.y * t1 + q1.z * t2 + q1.w * t3;
    let q2 = w4[wo2 + k];
    a2 += q2.x * t0 + q2.y * t1 + q2.z * t2 + q2.w * t3;
    let q3 = w4[wo3 + k];
    a3 += q3.x * t0 + q3.y * t1 + q3.z * t2 + q3.w * t3;
    let q4 = w4[wo4 + k];
    a4 += q4.x * t0 + q4.y * t1 + q4.z * t2 + q4.w * t3;
    let q5 = w4[wo5 + k];
    a5 += q5.x * t0 + q5.y * t1 + q5.z * t2 + q5.w * t3;
    let q6 = w4[wo6 + k];
    a6 += q6.x * t0 + q6.y * t1 + q6.z * t2 + q6.w * t3;
    let q7 = w4[wo7 + k];
    a7 += q7.x * t0 + q7.y * t1 + q7.z * t2 + q7.w * t3;
  }
  let oBase = blk * params.obs;
  put(a0, r0 + 0u, b0, oBase);
  put(a1, r0 + 1u, b0, oBase);
  put(a2, r0 + 2u, b0, oBase);
  put(a3, r0 + 3u, b0, oBase);
  put(a4, r0 + 4u, b0, oBase);
  put(a5, r0 + 5u, b0, oBase);
  put(a6, r0 + 6u, b0, oBase);
  put(a7, r0 + 7u, b0, oBase);
}

// gid.x: 4-column tile of a block, gid.y: 4-row tile of a block, gid.z: block.
@compute @workgroup_size(8, 8, 1)
fn gradW(@builtin(global_invocation_id) gid: vec3<u32>) {
  let R = params.R;
  let K = params.K;
  let c0 = gid.x * 4u;
  let r0 = gid.y * 4u;
  let blk = gid.z;
  if (c0 >= K || r0 >= R || blk >= params.nb) {
    return;
  }
  var gCol: array<u32, 4>;
  var xCol: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    gCol[i] = blk * params.obs + min(r0 + i, R - 1u) * params.oes;
    xCol[i] = blk * params.ibs + min(c0 + i, K - 1u) * params.ies;
  }
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var b = 0u; b < params.batch; b++) {
    let xo = b * params.xStride;
    let xv = vec4<f32>(x[xCol[0] + xo], x[xCol[1] + xo], x[xCol[2] + xo], x[xCol[3] + xo]);
    let go = b * params.yStride;
    acc0 += g[gCol[0] + go] * xv;
    acc1 += g[gCol[1] + go] * xv;
    acc2 += g[gCol[2] + go] * xv;
    acc3 += g[gCol[3] + go] * xv;
  }
  var acc = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  let base = blk * R * K;
  for (var i = 0u; i < 4u; i++) {
    let r = r0 + i;
    if (r >= R) { break; }
    for (var j = 0u; j < 4u; j++) {
      let c = c0 + j;
      if (c < K) { dw[base + r * K + c] = acc[i][j]; }
    }
  }
}

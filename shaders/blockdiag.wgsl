// Block-diagonal batched products with strided gathers and scatters: the kernels of the
// block-diagonal family and of Monarch (= blockdiag · perm · blockdiag · perm).
//
// W holds nb blocks, block g is R × K, stored row-major at w[g·R·K + r·K + c]
// (TRANS_W: the block is stored K × R, i.e. w[g·R·K + c·R + r] is its (r, c) entry).
//
//   forward:  y[b·yStride + g·obs + r·oes] = Σ_c  W_g[r, c] · x[b·xStride + g·ibs + c·ies]
//   gradW:    dw[g·R·K + r·K + c]          = Σ_b  g[b·yStride + g·obs + r·oes] · x[b·xStride + g·ibs + c·ies]
//   gradX:    y[b·xStride + g·ibs + c·ies]  = Σ_r  g[b·yStride + g·obs + r·oes] · W_g[r, c]   (the x gradient)
//
// The block strides (ibs, obs) and element strides (ies, oes) express the permutations: a plain
// block-diagonal matrix has ibs = K, ies = 1, obs = R, oes = 1; Monarch writes its intermediate
// transposed (obs = 1, oes = nb) so that its second factor reads contiguous blocks. The gradient
// w.r.t. x is gradX8x16 when K % 4 == 0, else `forward` with TRANS_W and the in/out strides swapped.
//
// Register-blocked like gemm.wgsl: each invocation owns 4 batch rows × 4 block rows (forward), 4 × 8
// (forward8, for blocks of ≥ 8 rows), BB × BR with vec4 loads (fastBBxBR, when rows and blocks are
// 4-aligned) or 4 × 4 entries of one block (gradW), no workgroup memory, no barriers (SwiftShader punishes them).
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

// ---- fastBBxBR: the aligned forward (not TRANS_W; ies = 1; K, ibs and xStride multiples of 4):
// x and w read as vec4 along c, BB batch rows × BR block rows per invocation, spelled out in named
// registers (SwiftShader runs loops over local arrays much slower than named values), 1-D grid.
// The TS side picks the variant (blockdiag.ts fastVariant).

// Aligned: 4 batch rows × 8 block rows per invocation, 1-D grid of 64-wide workgroups.
@compute @workgroup_size(64, 1, 1)
fn fast4x8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let R = params.R;
  let K4 = params.K / 4u;
  let bTiles = (params.batch + 3u) / 4u;
  let rTiles = (R + 7u) / 8u;
  let idx = gid.x + gid.y * nwg.x * 64u;
  let rest = idx / bTiles;
  let b0 = (idx % bTiles) * 4u;
  let r0 = (rest % rTiles) * 8u;
  let blk = rest / rTiles;
  if (blk >= params.nb) {
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
  var a0_0 = vec4<f32>(0.0);
  var a1_0 = vec4<f32>(0.0);
  var a2_0 = vec4<f32>(0.0);
  var a3_0 = vec4<f32>(0.0);
  var a4_0 = vec4<f32>(0.0);
  var a5_0 = vec4<f32>(0.0);
  var a6_0 = vec4<f32>(0.0);
  var a7_0 = vec4<f32>(0.0);
  for (var k = 0u; k < K4; k++) {
    let p0 = x4[xo0 + k];
    let p1 = x4[xo1 + k];
    let p2 = x4[xo2 + k];
    let p3 = x4[xo3 + k];
    let t0x = vec4<f32>(p0.x, p1.x, p2.x, p3.x);
    let t0y = vec4<f32>(p0.y, p1.y, p2.y, p3.y);
    let t0z = vec4<f32>(p0.z, p1.z, p2.z, p3.z);
    let t0w = vec4<f32>(p0.w, p1.w, p2.w, p3.w);
    let q0 = w4[wo0 + k];
    a0_0 += q0.x * t0x + q0.y * t0y + q0.z * t0z + q0.w * t0w;
    let q1 = w4[wo1 + k];
    a1_0 += q1.x * t0x + q1.y * t0y + q1.z * t0z + q1.w * t0w;
    let q2 = w4[wo2 + k];
    a2_0 += q2.x * t0x + q2.y * t0y + q2.z * t0z + q2.w * t0w;
    let q3 = w4[wo3 + k];
    a3_0 += q3.x * t0x + q3.y * t0y + q3.z * t0z + q3.w * t0w;
    let q4 = w4[wo4 + k];
    a4_0 += q4.x * t0x + q4.y * t0y + q4.z * t0z + q4.w * t0w;
    let q5 = w4[wo5 + k];
    a5_0 += q5.x * t0x + q5.y * t0y + q5.z * t0z + q5.w * t0w;
    let q6 = w4[wo6 + k];
    a6_0 += q6.x * t0x + q6.y * t0y + q6.z * t0z + q6.w * t0w;
    let q7 = w4[wo7 + k];
    a7_0 += q7.x * t0x + q7.y * t0y + q7.z * t0z + q7.w * t0w;
  }
  let oBase = blk * params.obs;
  put(a0_0, r0 + 0u, b0 + 0u, oBase);
  put(a1_0, r0 + 1u, b0 + 0u, oBase);
  put(a2_0, r0 + 2u, b0 + 0u, oBase);
  put(a3_0, r0 + 3u, b0 + 0u, oBase);
  put(a4_0, r0 + 4u, b0 + 0u, oBase);
  put(a5_0, r0 + 5u, b0 + 0u, oBase);
  put(a6_0, r0 + 6u, b0 + 0u, oBase);
  put(a7_0, r0 + 7u, b0 + 0u, oBase);
}

// Aligned: 8 batch rows × 8 block rows per invocation, 1-D grid of 64-wide workgroups.
@compute @workgroup_size(64, 1, 1)
fn fast8x8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let R = params.R;
  let K4 = params.K / 4u;
  let bTiles = (params.batch + 7u) / 8u;
  let rTiles = (R + 7u) / 8u;
  let idx = gid.x + gid.y * nwg.x * 64u;
  let rest = idx / bTiles;
  let b0 = (idx % bTiles) * 8u;
  let r0 = (rest % rTiles) * 8u;
  let blk = rest / rTiles;
  if (blk >= params.nb) {
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
  let xo4 = min(b0 + 4u, bm) * xs + xb;
  let xo5 = min(b0 + 5u, bm) * xs + xb;
  let xo6 = min(b0 + 6u, bm) * xs + xb;
  let xo7 = min(b0 + 7u, bm) * xs + xb;
  var a0_0 = vec4<f32>(0.0);
  var a0_1 = vec4<f32>(0.0);
  var a1_0 = vec4<f32>(0.0);
  var a1_1 = vec4<f32>(0.0);
  var a2_0 = vec4<f32>(0.0);
  var a2_1 = vec4<f32>(0.0);
  var a3_0 = vec4<f32>(0.0);
  var a3_1 = vec4<f32>(0.0);
  var a4_0 = vec4<f32>(0.0);
  var a4_1 = vec4<f32>(0.0);
  var a5_0 = vec4<f32>(0.0);
  var a5_1 = vec4<f32>(0.0);
  var a6_0 = vec4<f32>(0.0);
  var a6_1 = vec4<f32>(0.0);
  var a7_0 = vec4<f32>(0.0);
  var a7_1 = vec4<f32>(0.0);
  for (var k = 0u; k < K4; k++) {
    let p0 = x4[xo0 + k];
    let p1 = x4[xo1 + k];
    let p2 = x4[xo2 + k];
    let p3 = x4[xo3 + k];
    let p4 = x4[xo4 + k];
    let p5 = x4[xo5 + k];
    let p6 = x4[xo6 + k];
    let p7 = x4[xo7 + k];
    let t0x = vec4<f32>(p0.x, p1.x, p2.x, p3.x);
    let t0y = vec4<f32>(p0.y, p1.y, p2.y, p3.y);
    let t0z = vec4<f32>(p0.z, p1.z, p2.z, p3.z);
    let t0w = vec4<f32>(p0.w, p1.w, p2.w, p3.w);
    let t1x = vec4<f32>(p4.x, p5.x, p6.x, p7.x);
    let t1y = vec4<f32>(p4.y, p5.y, p6.y, p7.y);
    let t1z = vec4<f32>(p4.z, p5.z, p6.z, p7.z);
    let t1w = vec4<f32>(p4.w, p5.w, p6.w, p7.w);
    let q0 = w4[wo0 + k];
    a0_0 += q0.x * t0x + q0.y * t0y + q0.z * t0z + q0.w * t0w;
    a0_1 += q0.x * t1x + q0.y * t1y + q0.z * t1z + q0.w * t1w;
    let q1 = w4[wo1 + k];
    a1_0 += q1.x * t0x + q1.y * t0y + q1.z * t0z + q1.w * t0w;
    a1_1 += q1.x * t1x + q1.y * t1y + q1.z * t1z + q1.w * t1w;
    let q2 = w4[wo2 + k];
    a2_0 += q2.x * t0x + q2.y * t0y + q2.z * t0z + q2.w * t0w;
    a2_1 += q2.x * t1x + q2.y * t1y + q2.z * t1z + q2.w * t1w;
    let q3 = w4[wo3 + k];
    a3_0 += q3.x * t0x + q3.y * t0y + q3.z * t0z + q3.w * t0w;
    a3_1 += q3.x * t1x + q3.y * t1y + q3.z * t1z + q3.w * t1w;
    let q4 = w4[wo4 + k];
    a4_0 += q4.x * t0x + q4.y * t0y + q4.z * t0z + q4.w * t0w;
    a4_1 += q4.x * t1x + q4.y * t1y + q4.z * t1z + q4.w * t1w;
    let q5 = w4[wo5 + k];
    a5_0 += q5.x * t0x + q5.y * t0y + q5.z * t0z + q5.w * t0w;
    a5_1 += q5.x * t1x + q5.y * t1y + q5.z * t1z + q5.w * t1w;
    let q6 = w4[wo6 + k];
    a6_0 += q6.x * t0x + q6.y * t0y + q6.z * t0z + q6.w * t0w;
    a6_1 += q6.x * t1x + q6.y * t1y + q6.z * t1z + q6.w * t1w;
    let q7 = w4[wo7 + k];
    a7_0 += q7.x * t0x + q7.y * t0y + q7.z * t0z + q7.w * t0w;
    a7_1 += q7.x * t1x + q7.y * t1y + q7.z * t1z + q7.w * t1w;
  }
  let oBase = blk * params.obs;
  put(a0_0, r0 + 0u, b0 + 0u, oBase);
  put(a0_1, r0 + 0u, b0 + 4u, oBase);
  put(a1_0, r0 + 1u, b0 + 0u, oBase);
  put(a1_1, r0 + 1u, b0 + 4u, oBase);
  put(a2_0, r0 + 2u, b0 + 0u, oBase);
  put(a2_1, r0 + 2u, b0 + 4u, oBase);
  put(a3_0, r0 + 3u, b0 + 0u, oBase);
  put(a3_1, r0 + 3u, b0 + 4u, oBase);
  put(a4_0, r0 + 4u, b0 + 0u, oBase);
  put(a4_1, r0 + 4u, b0 + 4u, oBase);
  put(a5_0, r0 + 5u, b0 + 0u, oBase);
  put(a5_1, r0 + 5u, b0 + 4u, oBase);
  put(a6_0, r0 + 6u, b0 + 0u, oBase);
  put(a6_1, r0 + 6u, b0 + 4u, oBase);
  put(a7_0, r0 + 7u, b0 + 0u, oBase);
  put(a7_1, r0 + 7u, b0 + 4u, oBase);
}

// Aligned: 8 batch rows × 16 block rows per invocation, 1-D grid of 64-wide workgroups.
@compute @workgroup_size(64, 1, 1)
fn fast8x16(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let R = params.R;
  let K4 = params.K / 4u;
  let bTiles = (params.batch + 7u) / 8u;
  let rTiles = (R + 15u) / 16u;
  let idx = gid.x + gid.y * nwg.x * 64u;
  let rest = idx / bTiles;
  let b0 = (idx % bTiles) * 8u;
  let r0 = (rest % rTiles) * 16u;
  let blk = rest / rTiles;
  if (blk >= params.nb) {
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
  let wo8 = wb + min(r0 + 8u, rm) * K4;
  let wo9 = wb + min(r0 + 9u, rm) * K4;
  let wo10 = wb + min(r0 + 10u, rm) * K4;
  let wo11 = wb + min(r0 + 11u, rm) * K4;
  let wo12 = wb + min(r0 + 12u, rm) * K4;
  let wo13 = wb + min(r0 + 13u, rm) * K4;
  let wo14 = wb + min(r0 + 14u, rm) * K4;
  let wo15 = wb + min(r0 + 15u, rm) * K4;
  let xs = params.xStride / 4u;
  let xb = blk * (params.ibs / 4u);
  let bm = params.batch - 1u;
  let xo0 = min(b0 + 0u, bm) * xs + xb;
  let xo1 = min(b0 + 1u, bm) * xs + xb;
  let xo2 = min(b0 + 2u, bm) * xs + xb;
  let xo3 = min(b0 + 3u, bm) * xs + xb;
  let xo4 = min(b0 + 4u, bm) * xs + xb;
  let xo5 = min(b0 + 5u, bm) * xs + xb;
  let xo6 = min(b0 + 6u, bm) * xs + xb;
  let xo7 = min(b0 + 7u, bm) * xs + xb;
  var a0_0 = vec4<f32>(0.0);
  var a0_1 = vec4<f32>(0.0);
  var a1_0 = vec4<f32>(0.0);
  var a1_1 = vec4<f32>(0.0);
  var a2_0 = vec4<f32>(0.0);
  var a2_1 = vec4<f32>(0.0);
  var a3_0 = vec4<f32>(0.0);
  var a3_1 = vec4<f32>(0.0);
  var a4_0 = vec4<f32>(0.0);
  var a4_1 = vec4<f32>(0.0);
  var a5_0 = vec4<f32>(0.0);
  var a5_1 = vec4<f32>(0.0);
  var a6_0 = vec4<f32>(0.0);
  var a6_1 = vec4<f32>(0.0);
  var a7_0 = vec4<f32>(0.0);
  var a7_1 = vec4<f32>(0.0);
  var a8_0 = vec4<f32>(0.0);
  var a8_1 = vec4<f32>(0.0);
  var a9_0 = vec4<f32>(0.0);
  var a9_1 = vec4<f32>(0.0);
  var a10_0 = vec4<f32>(0.0);
  var a10_1 = vec4<f32>(0.0);
  var a11_0 = vec4<f32>(0.0);
  var a11_1 = vec4<f32>(0.0);
  var a12_0 = vec4<f32>(0.0);
  var a12_1 = vec4<f32>(0.0);
  var a13_0 = vec4<f32>(0.0);
  var a13_1 = vec4<f32>(0.0);
  var a14_0 = vec4<f32>(0.0);
  var a14_1 = vec4<f32>(0.0);
  var a15_0 = vec4<f32>(0.0);
  var a15_1 = vec4<f32>(0.0);
  for (var k = 0u; k < K4; k++) {
    let p0 = x4[xo0 + k];
    let p1 = x4[xo1 + k];
    let p2 = x4[xo2 + k];
    let p3 = x4[xo3 + k];
    let p4 = x4[xo4 + k];
    let p5 = x4[xo5 + k];
    let p6 = x4[xo6 + k];
    let p7 = x4[xo7 + k];
    let t0x = vec4<f32>(p0.x, p1.x, p2.x, p3.x);
    let t0y = vec4<f32>(p0.y, p1.y, p2.y, p3.y);
    let t0z = vec4<f32>(p0.z, p1.z, p2.z, p3.z);
    let t0w = vec4<f32>(p0.w, p1.w, p2.w, p3.w);
    let t1x = vec4<f32>(p4.x, p5.x, p6.x, p7.x);
    let t1y = vec4<f32>(p4.y, p5.y, p6.y, p7.y);
    let t1z = vec4<f32>(p4.z, p5.z, p6.z, p7.z);
    let t1w = vec4<f32>(p4.w, p5.w, p6.w, p7.w);
    let q0 = w4[wo0 + k];
    a0_0 += q0.x * t0x + q0.y * t0y + q0.z * t0z + q0.w * t0w;
    a0_1 += q0.x * t1x + q0.y * t1y + q0.z * t1z + q0.w * t1w;
    let q1 = w4[wo1 + k];
    a1_0 += q1.x * t0x + q1.y * t0y + q1.z * t0z + q1.w * t0w;
    a1_1 += q1.x * t1x + q1.y * t1y + q1.z * t1z + q1.w * t1w;
    let q2 = w4[wo2 + k];
    a2_0 += q2.x * t0x + q2.y * t0y + q2.z * t0z + q2.w * t0w;
    a2_1 += q2.x * t1x + q2.y * t1y + q2.z * t1z + q2.w * t1w;
    let q3 = w4[wo3 + k];
    a3_0 += q3.x * t0x + q3.y * t0y + q3.z * t0z + q3.w * t0w;
    a3_1 += q3.x * t1x + q3.y * t1y + q3.z * t1z + q3.w * t1w;
    let q4 = w4[wo4 + k];
    a4_0 += q4.x * t0x + q4.y * t0y + q4.z * t0z + q4.w * t0w;
    a4_1 += q4.x * t1x + q4.y * t1y + q4.z * t1z + q4.w * t1w;
    let q5 = w4[wo5 + k];
    a5_0 += q5.x * t0x + q5.y * t0y + q5.z * t0z + q5.w * t0w;
    a5_1 += q5.x * t1x + q5.y * t1y + q5.z * t1z + q5.w * t1w;
    let q6 = w4[wo6 + k];
    a6_0 += q6.x * t0x + q6.y * t0y + q6.z * t0z + q6.w * t0w;
    a6_1 += q6.x * t1x + q6.y * t1y + q6.z * t1z + q6.w * t1w;
    let q7 = w4[wo7 + k];
    a7_0 += q7.x * t0x + q7.y * t0y + q7.z * t0z + q7.w * t0w;
    a7_1 += q7.x * t1x + q7.y * t1y + q7.z * t1z + q7.w * t1w;
    let q8 = w4[wo8 + k];
    a8_0 += q8.x * t0x + q8.y * t0y + q8.z * t0z + q8.w * t0w;
    a8_1 += q8.x * t1x + q8.y * t1y + q8.z * t1z + q8.w * t1w;
    let q9 = w4[wo9 + k];
    a9_0 += q9.x * t0x + q9.y * t0y + q9.z * t0z + q9.w * t0w;
    a9_1 += q9.x * t1x + q9.y * t1y + q9.z * t1z + q9.w * t1w;
    let q10 = w4[wo10 + k];
    a10_0 += q10.x * t0x + q10.y * t0y + q10.z * t0z + q10.w * t0w;
    a10_1 += q10.x * t1x + q10.y * t1y + q10.z * t1z + q10.w * t1w;
    let q11 = w4[wo11 + k];
    a11_0 += q11.x * t0x + q11.y * t0y + q11.z * t0z + q11.w * t0w;
    a11_1 += q11.x * t1x + q11.y * t1y + q11.z * t1z + q11.w * t1w;
    let q12 = w4[wo12 + k];
    a12_0 += q12.x * t0x + q12.y * t0y + q12.z * t0z + q12.w * t0w;
    a12_1 += q12.x * t1x + q12.y * t1y + q12.z * t1z + q12.w * t1w;
    let q13 = w4[wo13 + k];
    a13_0 += q13.x * t0x + q13.y * t0y + q13.z * t0z + q13.w * t0w;
    a13_1 += q13.x * t1x + q13.y * t1y + q13.z * t1z + q13.w * t1w;
    let q14 = w4[wo14 + k];
    a14_0 += q14.x * t0x + q14.y * t0y + q14.z * t0z + q14.w * t0w;
    a14_1 += q14.x * t1x + q14.y * t1y + q14.z * t1z + q14.w * t1w;
    let q15 = w4[wo15 + k];
    a15_0 += q15.x * t0x + q15.y * t0y + q15.z * t0z + q15.w * t0w;
    a15_1 += q15.x * t1x + q15.y * t1y + q15.z * t1z + q15.w * t1w;
  }
  let oBase = blk * params.obs;
  put(a0_0, r0 + 0u, b0 + 0u, oBase);
  put(a0_1, r0 + 0u, b0 + 4u, oBase);
  put(a1_0, r0 + 1u, b0 + 0u, oBase);
  put(a1_1, r0 + 1u, b0 + 4u, oBase);
  put(a2_0, r0 + 2u, b0 + 0u, oBase);
  put(a2_1, r0 + 2u, b0 + 4u, oBase);
  put(a3_0, r0 + 3u, b0 + 0u, oBase);
  put(a3_1, r0 + 3u, b0 + 4u, oBase);
  put(a4_0, r0 + 4u, b0 + 0u, oBase);
  put(a4_1, r0 + 4u, b0 + 4u, oBase);
  put(a5_0, r0 + 5u, b0 + 0u, oBase);
  put(a5_1, r0 + 5u, b0 + 4u, oBase);
  put(a6_0, r0 + 6u, b0 + 0u, oBase);
  put(a6_1, r0 + 6u, b0 + 4u, oBase);
  put(a7_0, r0 + 7u, b0 + 0u, oBase);
  put(a7_1, r0 + 7u, b0 + 4u, oBase);
  put(a8_0, r0 + 8u, b0 + 0u, oBase);
  put(a8_1, r0 + 8u, b0 + 4u, oBase);
  put(a9_0, r0 + 9u, b0 + 0u, oBase);
  put(a9_1, r0 + 9u, b0 + 4u, oBase);
  put(a10_0, r0 + 10u, b0 + 0u, oBase);
  put(a10_1, r0 + 10u, b0 + 4u, oBase);
  put(a11_0, r0 + 11u, b0 + 0u, oBase);
  put(a11_1, r0 + 11u, b0 + 4u, oBase);
  put(a12_0, r0 + 12u, b0 + 0u, oBase);
  put(a12_1, r0 + 12u, b0 + 4u, oBase);
  put(a13_0, r0 + 13u, b0 + 0u, oBase);
  put(a13_1, r0 + 13u, b0 + 4u, oBase);
  put(a14_0, r0 + 14u, b0 + 0u, oBase);
  put(a14_1, r0 + 14u, b0 + 4u, oBase);
  put(a15_0, r0 + 15u, b0 + 0u, oBase);
  put(a15_1, r0 + 15u, b0 + 4u, oBase);
}

// Aligned: 16 batch rows × 16 block rows per invocation, 1-D grid of 64-wide workgroups.
@compute @workgroup_size(64, 1, 1)
fn fast16x16(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let R = params.R;
  let K4 = params.K / 4u;
  let bTiles = (params.batch + 15u) / 16u;
  let rTiles = (R + 15u) / 16u;
  let idx = gid.x + gid.y * nwg.x * 64u;
  let rest = idx / bTiles;
  let b0 = (idx % bTiles) * 16u;
  let r0 = (rest % rTiles) * 16u;
  let blk = rest / rTiles;
  if (blk >= params.nb) {
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
  let wo8 = wb + min(r0 + 8u, rm) * K4;
  let wo9 = wb + min(r0 + 9u, rm) * K4;
  let wo10 = wb + min(r0 + 10u, rm) * K4;
  let wo11 = wb + min(r0 + 11u, rm) * K4;
  let wo12 = wb + min(r0 + 12u, rm) * K4;
  let wo13 = wb + min(r0 + 13u, rm) * K4;
  let wo14 = wb + min(r0 + 14u, rm) * K4;
  let wo15 = wb + min(r0 + 15u, rm) * K4;
  let xs = params.xStride / 4u;
  let xb = blk * (params.ibs / 4u);
  let bm = params.batch - 1u;
  let xo0 = min(b0 + 0u, bm) * xs + xb;
  let xo1 = min(b0 + 1u, bm) * xs + xb;
  let xo2 = min(b0 + 2u, bm) * xs + xb;
  let xo3 = min(b0 + 3u, bm) * xs + xb;
  let xo4 = min(b0 + 4u, bm) * xs + xb;
  let xo5 = min(b0 + 5u, bm) * xs + xb;
  let xo6 = min(b0 + 6u, bm) * xs + xb;
  let xo7 = min(b0 + 7u, bm) * xs + xb;
  let xo8 = min(b0 + 8u, bm) * xs + xb;
  let xo9 = min(b0 + 9u, bm) * xs + xb;
  let xo10 = min(b0 + 10u, bm) * xs + xb;
  let xo11 = min(b0 + 11u, bm) * xs + xb;
  let xo12 = min(b0 + 12u, bm) * xs + xb;
  let xo13 = min(b0 + 13u, bm) * xs + xb;
  let xo14 = min(b0 + 14u, bm) * xs + xb;
  let xo15 = min(b0 + 15u, bm) * xs + xb;
  var a0_0 = vec4<f32>(0.0);
  var a0_1 = vec4<f32>(0.0);
  var a0_2 = vec4<f32>(0.0);
  var a0_3 = vec4<f32>(0.0);
  var a1_0 = vec4<f32>(0.0);
  var a1_1 = vec4<f32>(0.0);
  var a1_2 = vec4<f32>(0.0);
  var a1_3 = vec4<f32>(0.0);
  var a2_0 = vec4<f32>(0.0);
  var a2_1 = vec4<f32>(0.0);
  var a2_2 = vec4<f32>(0.0);
  var a2_3 = vec4<f32>(0.0);
  var a3_0 = vec4<f32>(0.0);
  var a3_1 = vec4<f32>(0.0);
  var a3_2 = vec4<f32>(0.0);
  var a3_3 = vec4<f32>(0.0);
  var a4_0 = vec4<f32>(0.0);
  var a4_1 = vec4<f32>(0.0);
  var a4_2 = vec4<f32>(0.0);
  var a4_3 = vec4<f32>(0.0);
  var a5_0 = vec4<f32>(0.0);
  var a5_1 = vec4<f32>(0.0);
  var a5_2 = vec4<f32>(0.0);
  var a5_3 = vec4<f32>(0.0);
  var a6_0 = vec4<f32>(0.0);
  var a6_1 = vec4<f32>(0.0);
  var a6_2 = vec4<f32>(0.0);
  var a6_3 = vec4<f32>(0.0);
  var a7_0 = vec4<f32>(0.0);
  var a7_1 = vec4<f32>(0.0);
  var a7_2 = vec4<f32>(0.0);
  var a7_3 = vec4<f32>(0.0);
  var a8_0 = vec4<f32>(0.0);
  var a8_1 = vec4<f32>(0.0);
  var a8_2 = vec4<f32>(0.0);
  var a8_3 = vec4<f32>(0.0);
  var a9_0 = vec4<f32>(0.0);
  var a9_1 = vec4<f32>(0.0);
  var a9_2 = vec4<f32>(0.0);
  var a9_3 = vec4<f32>(0.0);
  var a10_0 = vec4<f32>(0.0);
  var a10_1 = vec4<f32>(0.0);
  var a10_2 = vec4<f32>(0.0);
  var a10_3 = vec4<f32>(0.0);
  var a11_0 = vec4<f32>(0.0);
  var a11_1 = vec4<f32>(0.0);
  var a11_2 = vec4<f32>(0.0);
  var a11_3 = vec4<f32>(0.0);
  var a12_0 = vec4<f32>(0.0);
  var a12_1 = vec4<f32>(0.0);
  var a12_2 = vec4<f32>(0.0);
  var a12_3 = vec4<f32>(0.0);
  var a13_0 = vec4<f32>(0.0);
  var a13_1 = vec4<f32>(0.0);
  var a13_2 = vec4<f32>(0.0);
  var a13_3 = vec4<f32>(0.0);
  var a14_0 = vec4<f32>(0.0);
  var a14_1 = vec4<f32>(0.0);
  var a14_2 = vec4<f32>(0.0);
  var a14_3 = vec4<f32>(0.0);
  var a15_0 = vec4<f32>(0.0);
  var a15_1 = vec4<f32>(0.0);
  var a15_2 = vec4<f32>(0.0);
  var a15_3 = vec4<f32>(0.0);
  for (var k = 0u; k < K4; k++) {
    let p0 = x4[xo0 + k];
    let p1 = x4[xo1 + k];
    let p2 = x4[xo2 + k];
    let p3 = x4[xo3 + k];
    let p4 = x4[xo4 + k];
    let p5 = x4[xo5 + k];
    let p6 = x4[xo6 + k];
    let p7 = x4[xo7 + k];
    let p8 = x4[xo8 + k];
    let p9 = x4[xo9 + k];
    let p10 = x4[xo10 + k];
    let p11 = x4[xo11 + k];
    let p12 = x4[xo12 + k];
    let p13 = x4[xo13 + k];
    let p14 = x4[xo14 + k];
    let p15 = x4[xo15 + k];
    let t0x = vec4<f32>(p0.x, p1.x, p2.x, p3.x);
    let t0y = vec4<f32>(p0.y, p1.y, p2.y, p3.y);
    let t0z = vec4<f32>(p0.z, p1.z, p2.z, p3.z);
    let t0w = vec4<f32>(p0.w, p1.w, p2.w, p3.w);
    let t1x = vec4<f32>(p4.x, p5.x, p6.x, p7.x);
    let t1y = vec4<f32>(p4.y, p5.y, p6.y, p7.y);
    let t1z = vec4<f32>(p4.z, p5.z, p6.z, p7.z);
    let t1w = vec4<f32>(p4.w, p5.w, p6.w, p7.w);
    let t2x = vec4<f32>(p8.x, p9.x, p10.x, p11.x);
    let t2y = vec4<f32>(p8.y, p9.y, p10.y, p11.y);
    let t2z = vec4<f32>(p8.z, p9.z, p10.z, p11.z);
    let t2w = vec4<f32>(p8.w, p9.w, p10.w, p11.w);
    let t3x = vec4<f32>(p12.x, p13.x, p14.x, p15.x);
    let t3y = vec4<f32>(p12.y, p13.y, p14.y, p15.y);
    let t3z = vec4<f32>(p12.z, p13.z, p14.z, p15.z);
    let t3w = vec4<f32>(p12.w, p13.w, p14.w, p15.w);
    let q0 = w4[wo0 + k];
    a0_0 += q0.x * t0x + q0.y * t0y + q0.z * t0z + q0.w * t0w;
    a0_1 += q0.x * t1x + q0.y * t1y + q0.z * t1z + q0.w * t1w;
    a0_2 += q0.x * t2x + q0.y * t2y + q0.z * t2z + q0.w * t2w;
    a0_3 += q0.x * t3x + q0.y * t3y + q0.z * t3z + q0.w * t3w;
    let q1 = w4[wo1 + k];
    a1_0 += q1.x * t0x + q1.y * t0y + q1.z * t0z + q1.w * t0w;
    a1_1 += q1.x * t1x + q1.y * t1y + q1.z * t1z + q1.w * t1w;
    a1_2 += q1.x * t2x + q1.y * t2y + q1.z * t2z + q1.w * t2w;
    a1_3 += q1.x * t3x + q1.y * t3y + q1.z * t3z + q1.w * t3w;
    let q2 = w4[wo2 + k];
    a2_0 += q2.x * t0x + q2.y * t0y + q2.z * t0z + q2.w * t0w;
    a2_1 += q2.x * t1x + q2.y * t1y + q2.z * t1z + q2.w * t1w;
    a2_2 += q2.x * t2x + q2.y * t2y + q2.z * t2z + q2.w * t2w;
    a2_3 += q2.x * t3x + q2.y * t3y + q2.z * t3z + q2.w * t3w;
    let q3 = w4[wo3 + k];
    a3_0 += q3.x * t0x + q3.y * t0y + q3.z * t0z + q3.w * t0w;
    a3_1 += q3.x * t1x + q3.y * t1y + q3.z * t1z + q3.w * t1w;
    a3_2 += q3.x * t2x + q3.y * t2y + q3.z * t2z + q3.w * t2w;
    a3_3 += q3.x * t3x + q3.y * t3y + q3.z * t3z + q3.w * t3w;
    let q4 = w4[wo4 + k];
    a4_0 += q4.x * t0x + q4.y * t0y + q4.z * t0z + q4.w * t0w;
    a4_1 += q4.x * t1x + q4.y * t1y + q4.z * t1z + q4.w * t1w;
    a4_2 += q4.x * t2x + q4.y * t2y + q4.z * t2z + q4.w * t2w;
    a4_3 += q4.x * t3x + q4.y * t3y + q4.z * t3z + q4.w * t3w;
    let q5 = w4[wo5 + k];
    a5_0 += q5.x * t0x + q5.y * t0y + q5.z * t0z + q5.w * t0w;
    a5_1 += q5.x * t1x + q5.y * t1y + q5.z * t1z + q5.w * t1w;
    a5_2 += q5.x * t2x + q5.y * t2y + q5.z * t2z + q5.w * t2w;
    a5_3 += q5.x * t3x + q5.y * t3y + q5.z * t3z + q5.w * t3w;
    let q6 = w4[wo6 + k];
    a6_0 += q6.x * t0x + q6.y * t0y + q6.z * t0z + q6.w * t0w;
    a6_1 += q6.x * t1x + q6.y * t1y + q6.z * t1z + q6.w * t1w;
    a6_2 += q6.x * t2x + q6.y * t2y + q6.z * t2z + q6.w * t2w;
    a6_3 += q6.x * t3x + q6.y * t3y + q6.z * t3z + q6.w * t3w;
    let q7 = w4[wo7 + k];
    a7_0 += q7.x * t0x + q7.y * t0y + q7.z * t0z + q7.w * t0w;
    a7_1 += q7.x * t1x + q7.y * t1y + q7.z * t1z + q7.w * t1w;
    a7_2 += q7.x * t2x + q7.y * t2y + q7.z * t2z + q7.w * t2w;
    a7_3 += q7.x * t3x + q7.y * t3y + q7.z * t3z + q7.w * t3w;
    let q8 = w4[wo8 + k];
    a8_0 += q8.x * t0x + q8.y * t0y + q8.z * t0z + q8.w * t0w;
    a8_1 += q8.x * t1x + q8.y * t1y + q8.z * t1z + q8.w * t1w;
    a8_2 += q8.x * t2x + q8.y * t2y + q8.z * t2z + q8.w * t2w;
    a8_3 += q8.x * t3x + q8.y * t3y + q8.z * t3z + q8.w * t3w;
    let q9 = w4[wo9 + k];
    a9_0 += q9.x * t0x + q9.y * t0y + q9.z * t0z + q9.w * t0w;
    a9_1 += q9.x * t1x + q9.y * t1y + q9.z * t1z + q9.w * t1w;
    a9_2 += q9.x * t2x + q9.y * t2y + q9.z * t2z + q9.w * t2w;
    a9_3 += q9.x * t3x + q9.y * t3y + q9.z * t3z + q9.w * t3w;
    let q10 = w4[wo10 + k];
    a10_0 += q10.x * t0x + q10.y * t0y + q10.z * t0z + q10.w * t0w;
    a10_1 += q10.x * t1x + q10.y * t1y + q10.z * t1z + q10.w * t1w;
    a10_2 += q10.x * t2x + q10.y * t2y + q10.z * t2z + q10.w * t2w;
    a10_3 += q10.x * t3x + q10.y * t3y + q10.z * t3z + q10.w * t3w;
    let q11 = w4[wo11 + k];
    a11_0 += q11.x * t0x + q11.y * t0y + q11.z * t0z + q11.w * t0w;
    a11_1 += q11.x * t1x + q11.y * t1y + q11.z * t1z + q11.w * t1w;
    a11_2 += q11.x * t2x + q11.y * t2y + q11.z * t2z + q11.w * t2w;
    a11_3 += q11.x * t3x + q11.y * t3y + q11.z * t3z + q11.w * t3w;
    let q12 = w4[wo12 + k];
    a12_0 += q12.x * t0x + q12.y * t0y + q12.z * t0z + q12.w * t0w;
    a12_1 += q12.x * t1x + q12.y * t1y + q12.z * t1z + q12.w * t1w;
    a12_2 += q12.x * t2x + q12.y * t2y + q12.z * t2z + q12.w * t2w;
    a12_3 += q12.x * t3x + q12.y * t3y + q12.z * t3z + q12.w * t3w;
    let q13 = w4[wo13 + k];
    a13_0 += q13.x * t0x + q13.y * t0y + q13.z * t0z + q13.w * t0w;
    a13_1 += q13.x * t1x + q13.y * t1y + q13.z * t1z + q13.w * t1w;
    a13_2 += q13.x * t2x + q13.y * t2y + q13.z * t2z + q13.w * t2w;
    a13_3 += q13.x * t3x + q13.y * t3y + q13.z * t3z + q13.w * t3w;
    let q14 = w4[wo14 + k];
    a14_0 += q14.x * t0x + q14.y * t0y + q14.z * t0z + q14.w * t0w;
    a14_1 += q14.x * t1x + q14.y * t1y + q14.z * t1z + q14.w * t1w;
    a14_2 += q14.x * t2x + q14.y * t2y + q14.z * t2z + q14.w * t2w;
    a14_3 += q14.x * t3x + q14.y * t3y + q14.z * t3z + q14.w * t3w;
    let q15 = w4[wo15 + k];
    a15_0 += q15.x * t0x + q15.y * t0y + q15.z * t0z + q15.w * t0w;
    a15_1 += q15.x * t1x + q15.y * t1y + q15.z * t1z + q15.w * t1w;
    a15_2 += q15.x * t2x + q15.y * t2y + q15.z * t2z + q15.w * t2w;
    a15_3 += q15.x * t3x + q15.y * t3y + q15.z * t3z + q15.w * t3w;
  }
  let oBase = blk * params.obs;
  put(a0_0, r0 + 0u, b0 + 0u, oBase);
  put(a0_1, r0 + 0u, b0 + 4u, oBase);
  put(a0_2, r0 + 0u, b0 + 8u, oBase);
  put(a0_3, r0 + 0u, b0 + 12u, oBase);
  put(a1_0, r0 + 1u, b0 + 0u, oBase);
  put(a1_1, r0 + 1u, b0 + 4u, oBase);
  put(a1_2, r0 + 1u, b0 + 8u, oBase);
  put(a1_3, r0 + 1u, b0 + 12u, oBase);
  put(a2_0, r0 + 2u, b0 + 0u, oBase);
  put(a2_1, r0 + 2u, b0 + 4u, oBase);
  put(a2_2, r0 + 2u, b0 + 8u, oBase);
  put(a2_3, r0 + 2u, b0 + 12u, oBase);
  put(a3_0, r0 + 3u, b0 + 0u, oBase);
  put(a3_1, r0 + 3u, b0 + 4u, oBase);
  put(a3_2, r0 + 3u, b0 + 8u, oBase);
  put(a3_3, r0 + 3u, b0 + 12u, oBase);
  put(a4_0, r0 + 4u, b0 + 0u, oBase);
  put(a4_1, r0 + 4u, b0 + 4u, oBase);
  put(a4_2, r0 + 4u, b0 + 8u, oBase);
  put(a4_3, r0 + 4u, b0 + 12u, oBase);
  put(a5_0, r0 + 5u, b0 + 0u, oBase);
  put(a5_1, r0 + 5u, b0 + 4u, oBase);
  put(a5_2, r0 + 5u, b0 + 8u, oBase);
  put(a5_3, r0 + 5u, b0 + 12u, oBase);
  put(a6_0, r0 + 6u, b0 + 0u, oBase);
  put(a6_1, r0 + 6u, b0 + 4u, oBase);
  put(a6_2, r0 + 6u, b0 + 8u, oBase);
  put(a6_3, r0 + 6u, b0 + 12u, oBase);
  put(a7_0, r0 + 7u, b0 + 0u, oBase);
  put(a7_1, r0 + 7u, b0 + 4u, oBase);
  put(a7_2, r0 + 7u, b0 + 8u, oBase);
  put(a7_3, r0 + 7u, b0 + 12u, oBase);
  put(a8_0, r0 + 8u, b0 + 0u, oBase);
  put(a8_1, r0 + 8u, b0 + 4u, oBase);
  put(a8_2, r0 + 8u, b0 + 8u, oBase);
  put(a8_3, r0 + 8u, b0 + 12u, oBase);
  put(a9_0, r0 + 9u, b0 + 0u, oBase);
  put(a9_1, r0 + 9u, b0 + 4u, oBase);
  put(a9_2, r0 + 9u, b0 + 8u, oBase);
  put(a9_3, r0 + 9u, b0 + 12u, oBase);
  put(a10_0, r0 + 10u, b0 + 0u, oBase);
  put(a10_1, r0 + 10u, b0 + 4u, oBase);
  put(a10_2, r0 + 10u, b0 + 8u, oBase);
  put(a10_3, r0 + 10u, b0 + 12u, oBase);
  put(a11_0, r0 + 11u, b0 + 0u, oBase);
  put(a11_1, r0 + 11u, b0 + 4u, oBase);
  put(a11_2, r0 + 11u, b0 + 8u, oBase);
  put(a11_3, r0 + 11u, b0 + 12u, oBase);
  put(a12_0, r0 + 12u, b0 + 0u, oBase);
  put(a12_1, r0 + 12u, b0 + 4u, oBase);
  put(a12_2, r0 + 12u, b0 + 8u, oBase);
  put(a12_3, r0 + 12u, b0 + 12u, oBase);
  put(a13_0, r0 + 13u, b0 + 0u, oBase);
  put(a13_1, r0 + 13u, b0 + 4u, oBase);
  put(a13_2, r0 + 13u, b0 + 8u, oBase);
  put(a13_3, r0 + 13u, b0 + 12u, oBase);
  put(a14_0, r0 + 14u, b0 + 0u, oBase);
  put(a14_1, r0 + 14u, b0 + 4u, oBase);
  put(a14_2, r0 + 14u, b0 + 8u, oBase);
  put(a14_3, r0 + 14u, b0 + 12u, oBase);
  put(a15_0, r0 + 15u, b0 + 0u, oBase);
  put(a15_1, r0 + 15u, b0 + 4u, oBase);
  put(a15_2, r0 + 15u, b0 + 8u, oBase);
  put(a15_3, r0 + 15u, b0 + 12u, oBase);
}


// ---- backward, aligned: outer-product variants in named registers, 1-D grid.

@group(0) @binding(8) var<storage, read_write> dw4: array<vec4<f32>>;

// Store 4 consecutive block columns c..c+3 of batch row b of dx (into y; scalar stores, any ies).
fn putX(acc: vec4<f32>, b: u32, c: u32, xb: u32) {
  if (b >= params.batch || c >= params.K) {
    return;
  }
  let o = b * params.xStride + xb + c * params.ies;
  for (var u = 0u; u < 4u; u++) {
    y[o + u * params.ies] = acc[u];
  }
}

// Store the vec4 of block columns 4·c4 .. 4·c4+3 of row r of block dw.
fn putW(acc: vec4<f32>, r: u32, c4: u32, wb: u32) {
  let K4 = params.K / 4u;
  if (r >= params.R || c4 >= K4) {
    return;
  }
  dw4[wb + r * K4 + c4] = acc;
}

// dX (K % 4 == 0): 8 batch rows × 16 block columns per invocation, outer products over r:
//   dx[b, g·ibs + c·ies] = Σ_r g[b, g·obs + r·oes] · W_g[r, c]   (W rows read as vec4 along c).
@compute @workgroup_size(64, 1, 1)
fn gradX8x16(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let R = params.R;
  let K4 = params.K / 4u;
  let bTiles = (params.batch + 7u) / 8u;
  let cTiles = (K4 + 3u) / 4u;
  let idx = gid.x + gid.y * nwg.x * 64u;
  let rest = idx / bTiles;
  let b0 = (idx % bTiles) * 8u;
  let c40 = (rest % cTiles) * 4u;
  let blk = rest / cTiles;
  if (blk >= params.nb) {
    return;
  }
  let km = K4 - 1u;
  let wb = blk * R * K4;
  let wc0 = wb + min(c40 + 0u, km);
  let wc1 = wb + min(c40 + 1u, km);
  let wc2 = wb + min(c40 + 2u, km);
  let wc3 = wb + min(c40 + 3u, km);
  let bm = params.batch - 1u;
  let gb = blk * params.obs;
  let go0 = min(b0 + 0u, bm) * params.yStride + gb;
  let go1 = min(b0 + 1u, bm) * params.yStride + gb;
  let go2 = min(b0 + 2u, bm) * params.yStride + gb;
  let go3 = min(b0 + 3u, bm) * params.yStride + gb;
  let go4 = min(b0 + 4u, bm) * params.yStride + gb;
  let go5 = min(b0 + 5u, bm) * params.yStride + gb;
  let go6 = min(b0 + 6u, bm) * params.yStride + gb;
  let go7 = min(b0 + 7u, bm) * params.yStride + gb;
  var a0_0 = vec4<f32>(0.0);
  var a0_1 = vec4<f32>(0.0);
  var a0_2 = vec4<f32>(0.0);
  var a0_3 = vec4<f32>(0.0);
  var a1_0 = vec4<f32>(0.0);
  var a1_1 = vec4<f32>(0.0);
  var a1_2 = vec4<f32>(0.0);
  var a1_3 = vec4<f32>(0.0);
  var a2_0 = vec4<f32>(0.0);
  var a2_1 = vec4<f32>(0.0);
  var a2_2 = vec4<f32>(0.0);
  var a2_3 = vec4<f32>(0.0);
  var a3_0 = vec4<f32>(0.0);
  var a3_1 = vec4<f32>(0.0);
  var a3_2 = vec4<f32>(0.0);
  var a3_3 = vec4<f32>(0.0);
  var a4_0 = vec4<f32>(0.0);
  var a4_1 = vec4<f32>(0.0);
  var a4_2 = vec4<f32>(0.0);
  var a4_3 = vec4<f32>(0.0);
  var a5_0 = vec4<f32>(0.0);
  var a5_1 = vec4<f32>(0.0);
  var a5_2 = vec4<f32>(0.0);
  var a5_3 = vec4<f32>(0.0);
  var a6_0 = vec4<f32>(0.0);
  var a6_1 = vec4<f32>(0.0);
  var a6_2 = vec4<f32>(0.0);
  var a6_3 = vec4<f32>(0.0);
  var a7_0 = vec4<f32>(0.0);
  var a7_1 = vec4<f32>(0.0);
  var a7_2 = vec4<f32>(0.0);
  var a7_3 = vec4<f32>(0.0);
  for (var r = 0u; r < R; r++) {
    let ro = r * params.oes;
    let wr = r * K4;
    let q0 = w4[wc0 + wr];
    let q1 = w4[wc1 + wr];
    let q2 = w4[wc2 + wr];
    let q3 = w4[wc3 + wr];
    let s0 = g[go0 + ro];
    a0_0 += s0 * q0;
    a0_1 += s0 * q1;
    a0_2 += s0 * q2;
    a0_3 += s0 * q3;
    let s1 = g[go1 + ro];
    a1_0 += s1 * q0;
    a1_1 += s1 * q1;
    a1_2 += s1 * q2;
    a1_3 += s1 * q3;
    let s2 = g[go2 + ro];
    a2_0 += s2 * q0;
    a2_1 += s2 * q1;
    a2_2 += s2 * q2;
    a2_3 += s2 * q3;
    let s3 = g[go3 + ro];
    a3_0 += s3 * q0;
    a3_1 += s3 * q1;
    a3_2 += s3 * q2;
    a3_3 += s3 * q3;
    let s4 = g[go4 + ro];
    a4_0 += s4 * q0;
    a4_1 += s4 * q1;
    a4_2 += s4 * q2;
    a4_3 += s4 * q3;
    let s5 = g[go5 + ro];
    a5_0 += s5 * q0;
    a5_1 += s5 * q1;
    a5_2 += s5 * q2;
    a5_3 += s5 * q3;
    let s6 = g[go6 + ro];
    a6_0 += s6 * q0;
    a6_1 += s6 * q1;
    a6_2 += s6 * q2;
    a6_3 += s6 * q3;
    let s7 = g[go7 + ro];
    a7_0 += s7 * q0;
    a7_1 += s7 * q1;
    a7_2 += s7 * q2;
    a7_3 += s7 * q3;
  }
  let xb = blk * params.ibs;
  putX(a0_0, b0 + 0u, (c40 + 0u) * 4u, xb);
  putX(a0_1, b0 + 0u, (c40 + 1u) * 4u, xb);
  putX(a0_2, b0 + 0u, (c40 + 2u) * 4u, xb);
  putX(a0_3, b0 + 0u, (c40 + 3u) * 4u, xb);
  putX(a1_0, b0 + 1u, (c40 + 0u) * 4u, xb);
  putX(a1_1, b0 + 1u, (c40 + 1u) * 4u, xb);
  putX(a1_2, b0 + 1u, (c40 + 2u) * 4u, xb);
  putX(a1_3, b0 + 1u, (c40 + 3u) * 4u, xb);
  putX(a2_0, b0 + 2u, (c40 + 0u) * 4u, xb);
  putX(a2_1, b0 + 2u, (c40 + 1u) * 4u, xb);
  putX(a2_2, b0 + 2u, (c40 + 2u) * 4u, xb);
  putX(a2_3, b0 + 2u, (c40 + 3u) * 4u, xb);
  putX(a3_0, b0 + 3u, (c40 + 0u) * 4u, xb);
  putX(a3_1, b0 + 3u, (c40 + 1u) * 4u, xb);
  putX(a3_2, b0 + 3u, (c40 + 2u) * 4u, xb);
  putX(a3_3, b0 + 3u, (c40 + 3u) * 4u, xb);
  putX(a4_0, b0 + 4u, (c40 + 0u) * 4u, xb);
  putX(a4_1, b0 + 4u, (c40 + 1u) * 4u, xb);
  putX(a4_2, b0 + 4u, (c40 + 2u) * 4u, xb);
  putX(a4_3, b0 + 4u, (c40 + 3u) * 4u, xb);
  putX(a5_0, b0 + 5u, (c40 + 0u) * 4u, xb);
  putX(a5_1, b0 + 5u, (c40 + 1u) * 4u, xb);
  putX(a5_2, b0 + 5u, (c40 + 2u) * 4u, xb);
  putX(a5_3, b0 + 5u, (c40 + 3u) * 4u, xb);
  putX(a6_0, b0 + 6u, (c40 + 0u) * 4u, xb);
  putX(a6_1, b0 + 6u, (c40 + 1u) * 4u, xb);
  putX(a6_2, b0 + 6u, (c40 + 2u) * 4u, xb);
  putX(a6_3, b0 + 6u, (c40 + 3u) * 4u, xb);
  putX(a7_0, b0 + 7u, (c40 + 0u) * 4u, xb);
  putX(a7_1, b0 + 7u, (c40 + 1u) * 4u, xb);
  putX(a7_2, b0 + 7u, (c40 + 2u) * 4u, xb);
  putX(a7_3, b0 + 7u, (c40 + 3u) * 4u, xb);
}

// dW (K, ibs, xStride multiples of 4; ies = 1): 8 block rows × 16 block columns per invocation,
// outer products over the batch:  dw[g, r, c] = Σ_b g[b, g·obs + r·oes] · x[b, g·ibs + c].
@compute @workgroup_size(64, 1, 1)
fn gradW8x16(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let R = params.R;
  let K4 = params.K / 4u;
  let cTiles = (K4 + 3u) / 4u;
  let rTiles = (R + 7u) / 8u;
  let idx = gid.x + gid.y * nwg.x * 64u;
  let rest = idx / cTiles;
  let c40 = (idx % cTiles) * 4u;
  let r0 = (rest % rTiles) * 8u;
  let blk = rest / rTiles;
  if (blk >= params.nb) {
    return;
  }
  let km = K4 - 1u;
  let rm = R - 1u;
  let xb = blk * (params.ibs / 4u);
  let xc0 = xb + min(c40 + 0u, km);
  let xc1 = xb + min(c40 + 1u, km);
  let xc2 = xb + min(c40 + 2u, km);
  let xc3 = xb + min(c40 + 3u, km);
  let gb = blk * params.obs;
  let gr0 = gb + min(r0 + 0u, rm) * params.oes;
  let gr1 = gb + min(r0 + 1u, rm) * params.oes;
  let gr2 = gb + min(r0 + 2u, rm) * params.oes;
  let gr3 = gb + min(r0 + 3u, rm) * params.oes;
  let gr4 = gb + min(r0 + 4u, rm) * params.oes;
  let gr5 = gb + min(r0 + 5u, rm) * params.oes;
  let gr6 = gb + min(r0 + 6u, rm) * params.oes;
  let gr7 = gb + min(r0 + 7u, rm) * params.oes;
  var a0_0 = vec4<f32>(0.0);
  var a0_1 = vec4<f32>(0.0);
  var a0_2 = vec4<f32>(0.0);
  var a0_3 = vec4<f32>(0.0);
  var a1_0 = vec4<f32>(0.0);
  var a1_1 = vec4<f32>(0.0);
  var a1_2 = vec4<f32>(0.0);
  var a1_3 = vec4<f32>(0.0);
  var a2_0 = vec4<f32>(0.0);
  var a2_1 = vec4<f32>(0.0);
  var a2_2 = vec4<f32>(0.0);
  var a2_3 = vec4<f32>(0.0);
  var a3_0 = vec4<f32>(0.0);
  var a3_1 = vec4<f32>(0.0);
  var a3_2 = vec4<f32>(0.0);
  var a3_3 = vec4<f32>(0.0);
  var a4_0 = vec4<f32>(0.0);
  var a4_1 = vec4<f32>(0.0);
  var a4_2 = vec4<f32>(0.0);
  var a4_3 = vec4<f32>(0.0);
  var a5_0 = vec4<f32>(0.0);
  var a5_1 = vec4<f32>(0.0);
  var a5_2 = vec4<f32>(0.0);
  var a5_3 = vec4<f32>(0.0);
  var a6_0 = vec4<f32>(0.0);
  var a6_1 = vec4<f32>(0.0);
  var a6_2 = vec4<f32>(0.0);
  var a6_3 = vec4<f32>(0.0);
  var a7_0 = vec4<f32>(0.0);
  var a7_1 = vec4<f32>(0.0);
  var a7_2 = vec4<f32>(0.0);
  var a7_3 = vec4<f32>(0.0);
  let xs = params.xStride / 4u;
  for (var b = 0u; b < params.batch; b++) {
    let xo = b * xs;
    let go = b * params.yStride;
    let q0 = x4[xc0 + xo];
    let q1 = x4[xc1 + xo];
    let q2 = x4[xc2 + xo];
    let q3 = x4[xc3 + xo];
    let s0 = g[gr0 + go];
    a0_0 += s0 * q0;
    a0_1 += s0 * q1;
    a0_2 += s0 * q2;
    a0_3 += s0 * q3;
    let s1 = g[gr1 + go];
    a1_0 += s1 * q0;
    a1_1 += s1 * q1;
    a1_2 += s1 * q2;
    a1_3 += s1 * q3;
    let s2 = g[gr2 + go];
    a2_0 += s2 * q0;
    a2_1 += s2 * q1;
    a2_2 += s2 * q2;
    a2_3 += s2 * q3;
    let s3 = g[gr3 + go];
    a3_0 += s3 * q0;
    a3_1 += s3 * q1;
    a3_2 += s3 * q2;
    a3_3 += s3 * q3;
    let s4 = g[gr4 + go];
    a4_0 += s4 * q0;
    a4_1 += s4 * q1;
    a4_2 += s4 * q2;
    a4_3 += s4 * q3;
    let s5 = g[gr5 + go];
    a5_0 += s5 * q0;
    a5_1 += s5 * q1;
    a5_2 += s5 * q2;
    a5_3 += s5 * q3;
    let s6 = g[gr6 + go];
    a6_0 += s6 * q0;
    a6_1 += s6 * q1;
    a6_2 += s6 * q2;
    a6_3 += s6 * q3;
    let s7 = g[gr7 + go];
    a7_0 += s7 * q0;
    a7_1 += s7 * q1;
    a7_2 += s7 * q2;
    a7_3 += s7 * q3;
  }
  let wb = blk * R * K4;
  putW(a0_0, r0 + 0u, c40 + 0u, wb);
  putW(a0_1, r0 + 0u, c40 + 1u, wb);
  putW(a0_2, r0 + 0u, c40 + 2u, wb);
  putW(a0_3, r0 + 0u, c40 + 3u, wb);
  putW(a1_0, r0 + 1u, c40 + 0u, wb);
  putW(a1_1, r0 + 1u, c40 + 1u, wb);
  putW(a1_2, r0 + 1u, c40 + 2u, wb);
  putW(a1_3, r0 + 1u, c40 + 3u, wb);
  putW(a2_0, r0 + 2u, c40 + 0u, wb);
  putW(a2_1, r0 + 2u, c40 + 1u, wb);
  putW(a2_2, r0 + 2u, c40 + 2u, wb);
  putW(a2_3, r0 + 2u, c40 + 3u, wb);
  putW(a3_0, r0 + 3u, c40 + 0u, wb);
  putW(a3_1, r0 + 3u, c40 + 1u, wb);
  putW(a3_2, r0 + 3u, c40 + 2u, wb);
  putW(a3_3, r0 + 3u, c40 + 3u, wb);
  putW(a4_0, r0 + 4u, c40 + 0u, wb);
  putW(a4_1, r0 + 4u, c40 + 1u, wb);
  putW(a4_2, r0 + 4u, c40 + 2u, wb);
  putW(a4_3, r0 + 4u, c40 + 3u, wb);
  putW(a5_0, r0 + 5u, c40 + 0u, wb);
  putW(a5_1, r0 + 5u, c40 + 1u, wb);
  putW(a5_2, r0 + 5u, c40 + 2u, wb);
  putW(a5_3, r0 + 5u, c40 + 3u, wb);
  putW(a6_0, r0 + 6u, c40 + 0u, wb);
  putW(a6_1, r0 + 6u, c40 + 1u, wb);
  putW(a6_2, r0 + 6u, c40 + 2u, wb);
  putW(a6_3, r0 + 6u, c40 + 3u, wb);
  putW(a7_0, r0 + 7u, c40 + 0u, wb);
  putW(a7_1, r0 + 7u, c40 + 1u, wb);
  putW(a7_2, r0 + 7u, c40 + 2u, wb);
  putW(a7_3, r0 + 7u, c40 + 3u, wb);
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

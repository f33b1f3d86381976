// Sparse (CSR / CSC) kernels. W is rows × cols with nnz stored values; Y = X·Wᵀ, X [batch, cols].
//
// Inputs are first packed transposed and zero-padded ("pack"): xt[c·bpad + b] = X[b, c] for
// b < batch, 0 for batch ≤ b < bpad, with bpad a multiple of 4·TILE4. The products then read four
// batch rows of one input feature as one vec4, so each stored value costs one scalar load, one index
// load and TILE4 vec4 loads for 4·TILE4 multiply-adds; no workgroup memory, no barriers, no atomics
// (SwiftShader, the CPU WebGPU, punishes barriers; real GPUs still get coalesced vec4 loads).
//
// spmm   y[b, r] = Σ_{j ∈ ptr[r]..ptr[r+1]} val[j or perm[j]] · xt[idx[j], b]
//        one invocation = one output row r × 4·TILE4 batch rows. With the CSR of W (PERM = false)
//        it is the forward; with the CSC of W (ptr over columns, idx = row indices, perm = the
//        position of each entry in the CSR value array, PERM = true) it is dX = dY·W.
// spmmLowRank  y[b, r] = Σ_j val[j]·X[b, idx[j]] + Σ_t B[r, t]·H[b, t]   (sparse + low-rank, one pass)
//        reads X [batch, cols] and H = X·Aᵀ [batch, rank] directly (no packing; batch rows clamped
//        on load, discarded on store): the forward of sparse+lowrank in two dispatches (GEMM + this).
// dval   dval[j] = Σ_b dY[b, row[j]] · X[b, col[j]]  (both packed), one invocation per stored entry.
// scatter / gather: dense[row[j]·cols + col[j]] = val[j] (toDense) and its adjoint.

override PERM: bool = false;
// vec4 accumulators per spmm invocation: 2, 4 or 8 (8, 16 or 32 batch rows); bpad is a multiple of 4·TILE4.
override TILE4: u32 = 4u;

struct Params {
  // spmm: output rows; pack: features (packed rows); dval / scatter / gather: W rows.
  rows: u32,
  // W cols (dense row length for scatter / gather; source row length for pack).
  cols: u32,
  batch: u32,
  // bpad / 4 (bpad = batch rounded up to a multiple of 4·TILE4).
  bp4: u32,
  nnz: u32,
  // Invocations per row of the 2-D dispatch grid (grid1d splits big 1-D dispatches).
  stride: u32,
  // spmmLowRank: columns of H (= rows of A, the rank).
  rank: u32,
}

@group(0) @binding(0) var<storage, read> offsets: array<u32>;
@group(0) @binding(1) var<storage, read> idx: array<u32>;
@group(0) @binding(2) var<storage, read> perm: array<u32>;
@group(0) @binding(3) var<storage, read> val: array<f32>;
@group(0) @binding(4) var<storage, read> xt: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;
@group(0) @binding(7) var<storage, read> x: array<f32>;
@group(0) @binding(8) var<storage, read_write> packed: array<f32>;
@group(0) @binding(9) var<storage, read> gt: array<vec4<f32>>;
@group(0) @binding(10) var<storage, read> rowOf: array<u32>;
@group(0) @binding(11) var<storage, read_write> dval: array<f32>;
@group(0) @binding(12) var<storage, read_write> dense: array<f32>;
@group(0) @binding(13) var<storage, read> g: array<f32>;
@group(0) @binding(14) var<storage, read> h: array<f32>;
@group(0) @binding(15) var<storage, read> bmat: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn spmm(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= params.rows) {
    return;
  }
  let bp4 = params.bp4;
  let q = gid.y * TILE4;
  let start = offsets[r];
  let end = offsets[r + 1u];
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0);
  var a5 = vec4<f32>(0.0);
  var a6 = vec4<f32>(0.0);
  var a7 = vec4<f32>(0.0);
  for (var j = start; j < end; j++) {
    var v: f32;
    if (PERM) { v = val[perm[j]]; } else { v = val[j]; }
    let base = idx[j] * bp4 + q;
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
  }
  let rows = params.rows;
  let b0 = q * 4u;
  let nb = min(TILE4 * 4u, params.batch - b0);
  var acc = array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7);
  for (var k = 0u; k < nb; k++) {
    y[(b0 + k) * rows + r] = acc[k / 4u][k % 4u];
  }
}

@compute @workgroup_size(256, 1, 1)
fn pack(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.stride;
  let bpad = params.bp4 * 4u;
  if (i >= params.rows * bpad) {
    return;
  }
  let c = i / bpad;
  let b = i % bpad;
  var v = 0.0;
  if (b < params.batch) {
    v = x[b * params.cols + c];
  }
  packed[i] = v;
}

@compute @workgroup_size(64, 1, 1)
fn dvalues(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x + gid.y * params.stride;
  if (j >= params.nnz) {
    return;
  }
  let bp4 = params.bp4;
  let gb = rowOf[j] * bp4;
  let xb = idx[j] * bp4;
  var acc = vec4<f32>(0.0);
  for (var q = 0u; q < bp4; q++) {
    acc += gt[gb + q] * xt[xb + q];
  }
  dval[j] = acc.x + acc.y + acc.z + acc.w;
}

@compute @workgroup_size(64, 1, 1)
fn scatter(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x + gid.y * params.stride;
  if (j >= params.nnz) {
    return;
  }
  dense[rowOf[j] * params.cols + idx[j]] = val[j];
}

@compute @workgroup_size(64, 1, 1)
fn gather(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x + gid.y * params.stride;
  if (j >= params.nnz) {
    return;
  }
  dval[j] = g[rowOf[j] * params.cols + idx[j]];
}

@compute @workgroup_size(64, 1, 1)
fn spmmLowRank(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= params.rows) {
    return;
  }
  let cols = params.cols;
  let rank = params.rank;
  let batch = params.batch;
  let b0 = gid.y * 16u;
  var ro: array<u32, 16>;
  var rh: array<u32, 16>;
  for (var i = 0u; i < 16u; i++) {
    let b = min(b0 + i, batch - 1u);
    ro[i] = b * cols;
    rh[i] = b * rank;
  }
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  let end = offsets[r + 1u];
  for (var j = offsets[r]; j < end; j++) {
    let v = val[j];
    let c = idx[j];
    a0 += v * vec4<f32>(x[ro[0] + c], x[ro[1] + c], x[ro[2] + c], x[ro[3] + c]);
    a1 += v * vec4<f32>(x[ro[4] + c], x[ro[5] + c], x[ro[6] + c], x[ro[7] + c]);
    a2 += v * vec4<f32>(x[ro[8] + c], x[ro[9] + c], x[ro[10] + c], x[ro[11] + c]);
    a3 += v * vec4<f32>(x[ro[12] + c], x[ro[13] + c], x[ro[14] + c], x[ro[15] + c]);
  }
  let br = r * rank;
  for (var t = 0u; t < rank; t++) {
    let v = bmat[br + t];
    a0 += v * vec4<f32>(h[rh[0] + t], h[rh[1] + t], h[rh[2] + t], h[rh[3] + t]);
    a1 += v * vec4<f32>(h[rh[4] + t], h[rh[5] + t], h[rh[6] + t], h[rh[7] + t]);
    a2 += v * vec4<f32>(h[rh[8] + t], h[rh[9] + t], h[rh[10] + t], h[rh[11] + t]);
    a3 += v * vec4<f32>(h[rh[12] + t], h[rh[13] + t], h[rh[14] + t], h[rh[15] + t]);
  }
  let rows = params.rows;
  let nb = min(16u, batch - b0);
  var acc = array<vec4<f32>, 4>(a0, a1, a2, a3);
  for (var k = 0u; k < nb; k++) {
    y[(b0 + k) * rows + r] = acc[k / 4u][k % 4u];
  }
}

// Dense batched GEMM:  C[b] = alpha · op(A[b]) · op(B[b])
//   op(A) is M×K (A stored M×K, or K×M when TRANS_A), op(B) is K×N (B stored K×N, or N×K when TRANS_B).
// Register-blocked: each invocation owns a 4×4 block of C and keeps it in registers; no workgroup
// memory and no barriers (SwiftShader, the CPU WebGPU, punishes barriers; real GPUs still get
// 16 multiply-adds per 8 loads). Out-of-range rows/columns are clamped on load (their results are
// discarded on store), so the inner loop has no bounds checks and any shape works.
// Batch strides of 0 broadcast one matrix over the batch.

override TRANS_A: bool = false;
override TRANS_B: bool = false;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  strideA: u32,
  strideB: u32,
  strideC: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = params.M;
  let N = params.N;
  let K = params.K;
  let n0 = gid.x * 4u;
  let m0 = gid.y * 4u;
  if (n0 >= N || m0 >= M) {
    return;
  }
  let baseA = gid.z * params.strideA;
  let baseB = gid.z * params.strideB;
  let baseC = gid.z * params.strideC;

  // Clamped row / column indices: loads never leave the matrix.
  var rowA: array<u32, 4>;
  var colB: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let m = min(m0 + i, M - 1u);
    let n = min(n0 + i, N - 1u);
    if (TRANS_A) { rowA[i] = baseA + m; } else { rowA[i] = baseA + m * K; }
    if (TRANS_B) { colB[i] = baseB + n * K; } else { colB[i] = baseB + n; }
  }
  var strideAk = 1u;
  if (TRANS_A) { strideAk = M; }
  var strideBk = N;
  if (TRANS_B) { strideBk = 1u; }

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0u; k < K; k++) {
    let kb = k * strideBk;
    let bv = vec4<f32>(b[colB[0] + kb], b[colB[1] + kb], b[colB[2] + kb], b[colB[3] + kb]);
    let ka = k * strideAk;
    acc0 += a[rowA[0] + ka] * bv;
    acc1 += a[rowA[1] + ka] * bv;
    acc2 += a[rowA[2] + ka] * bv;
    acc3 += a[rowA[3] + ka] * bv;
  }

  let alpha = params.alpha;
  var acc = array<vec4<f32>, 4>(acc0 * alpha, acc1 * alpha, acc2 * alpha, acc3 * alpha);
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= M) { break; }
    let row = baseC + m * N;
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < N) { c[row + n0 + j] = acc[i][j]; }
    }
  }
}

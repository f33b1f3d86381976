// Kronecker-sum apply, first product (src/structured/kronecker.ts): a small matrix A shared by every
// batch element times each element's reshaped input,
//   c[b, m, n] = Σ_k opA[m, k] · x[b, k, n],   opA = A [M, K]  (TRANS_A: A stored [K, M], i.e. Aᵀ),
// for W = Σ_i A_i ⊗ B_i:  U_b = A·X_b with A [p·terms, q], X_b [q, s]; the x gradient is the same
// product with TRANS_A. ops.matmul would run this as `batch` tiny GEMMs (K = q is often 4) with mostly
// idle lanes; here one invocation owns 8 rows × 4 columns of one element (x and c as vec4 along n,
// N % 4 == 0), named registers, 1-D grid, no barriers. Rows past M are clamped on load, dropped on store.

override TRANS_A: bool = false;

struct Params {
  batch: u32,
  M: u32,
  K: u32,
  N4: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let M = params.M;
  let K = params.K;
  let N4 = params.N4;
  let mTiles = (M + 7u) / 8u;
  let idx = gid.x + gid.y * nwg.x * 64u;
  let n4 = idx % N4;
  let rest = idx / N4;
  let m0 = (rest % mTiles) * 8u;
  let b = rest / mTiles;
  if (b >= params.batch) {
    return;
  }
  var sm = K;
  var sk = 1u;
  if (TRANS_A) {
    sm = 1u;
    sk = M;
  }
  let mm = M - 1u;
  let ao0 = min(m0 + 0u, mm) * sm;
  let ao1 = min(m0 + 1u, mm) * sm;
  let ao2 = min(m0 + 2u, mm) * sm;
  let ao3 = min(m0 + 3u, mm) * sm;
  let ao4 = min(m0 + 4u, mm) * sm;
  let ao5 = min(m0 + 5u, mm) * sm;
  let ao6 = min(m0 + 6u, mm) * sm;
  let ao7 = min(m0 + 7u, mm) * sm;
  let xb = b * K * N4 + n4;
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  var c4 = vec4<f32>(0.0);
  var c5 = vec4<f32>(0.0);
  var c6 = vec4<f32>(0.0);
  var c7 = vec4<f32>(0.0);
  for (var k = 0u; k < K; k++) {
    let xv = x[xb + k * N4];
    let ak = k * sk;
    c0 += a[ao0 + ak] * xv;
    c1 += a[ao1 + ak] * xv;
    c2 += a[ao2 + ak] * xv;
    c3 += a[ao3 + ak] * xv;
    c4 += a[ao4 + ak] * xv;
    c5 += a[ao5 + ak] * xv;
    c6 += a[ao6 + ak] * xv;
    c7 += a[ao7 + ak] * xv;
  }
  let cb = b * M * N4 + n4;
  if (m0 + 0u < M) { c[cb + (m0 + 0u) * N4] = c0; }
  if (m0 + 1u < M) { c[cb + (m0 + 1u) * N4] = c1; }
  if (m0 + 2u < M) { c[cb + (m0 + 2u) * N4] = c2; }
  if (m0 + 3u < M) { c[cb + (m0 + 3u) * N4] = c3; }
  if (m0 + 4u < M) { c[cb + (m0 + 4u) * N4] = c4; }
  if (m0 + 5u < M) { c[cb + (m0 + 5u) * N4] = c5; }
  if (m0 + 6u < M) { c[cb + (m0 + 6u) * N4] = c6; }
  if (m0 + 7u < M) { c[cb + (m0 + 7u) * N4] = c7; }
}

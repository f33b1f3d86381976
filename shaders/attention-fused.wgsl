// Fused causal attention, forward and backward, without an N × N buffer (FlashAttention-style).
// Q, K, V, O, dO: [heads, n, d] row-major as vec4 (heads = batch × heads, d a multiple of 4, ≤ 128);
// lse, delta: [heads, n]. Each invocation holds four adjacent rows in private vec4 registers
// (queries for the forward and dQ, keys for dK dV), so every vec4 read of the other side feeds four
// rows, as a register-blocked GEMM reuses its loads; the other side is read straight from storage
// (workgroup-memory tiles cost a minute of shader compilation per entry point on SwiftShader).
// D4 = d / 4 is an override constant: the row loops have a fixed length. Keys stream in chunks of
// 32: online softmax with a running max m, running sum l and an f32 accumulator rescaled once per
// chunk; lse = m + log l is saved for the backward, which recomputes P: dQ per query row (entry
// `dq`), dK and dV per key row (entry `dkv`), after delta_i = dO_i · O_i (entry `delta_rows`).
// Causality bounds the loops (keys ≤ the last row; queries ≥ the first key) and masks only within
// the four rows of an invocation.

struct Params {
  n: u32,
  d: u32,
  scale: f32,
  heads: u32,
}

@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;
@group(0) @binding(5) var<storage, read> o: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> lse_in: array<f32>;
@group(0) @binding(8) var<storage, read> delta: array<f32>;
@group(0) @binding(9) var<storage, read_write> dk: array<vec4<f32>>;
@group(0) @binding(10) var<uniform> params: Params;

// vec4s per row (d / 4), an override constant so that the inner loops have a fixed trip count.
override D4: u32 = 16u;

const ROWS = 64u;
const CHUNK = 32u;
const NEG = -3.0e38;

// ------------------------------------------------------------------ forward

// Four adjacent query rows per invocation (16 invocations = 64 rows): every K and V vec4 read
// feeds four rows, as a register-blocked GEMM reuses its loads.
const RQ = 4u;

@compute @workgroup_size(16)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let r0 = wid.x * ROWS + lid * RQ;
  if (r0 >= n) { return; }
  let head = wid.y;
  let base = head * n * D4;
  var qv: array<vec4<f32>, 128>;
  var acc: array<vec4<f32>, 128>;
  var s: array<f32, 128>;
  var m: array<f32, 4>;
  var l: array<f32, 4>;
  for (var a = 0u; a < RQ; a++) {
    let row = min(r0 + a, n - 1u);
    for (var c = 0u; c < D4; c++) {
      qv[a * D4 + c] = q[base + row * D4 + c] * params.scale;
      acc[a * D4 + c] = vec4<f32>(0.0);
    }
    m[a] = NEG;
    l[a] = 0.0;
  }
  let last = min(r0 + RQ, n) - 1u; // the last valid row of this invocation
  for (var k0 = 0u; k0 <= last; k0 += CHUNK) {
    let lim = min(CHUNK, last + 1u - k0);
    var mt = array<f32, 4>(NEG, NEG, NEG, NEG);
    for (var t = 0u; t < lim; t++) {
      let j = k0 + t;
      let kb = base + j * D4;
      var sc = vec4<f32>(0.0);
      for (var c = 0u; c < D4; c++) {
        let kk = k[kb + c];
        sc[0] += dot(qv[c], kk);
        sc[1] += dot(qv[D4 + c], kk);
        sc[2] += dot(qv[2u * D4 + c], kk);
        sc[3] += dot(qv[3u * D4 + c], kk);
      }
      for (var a = 0u; a < RQ; a++) {
        let x = select(NEG, sc[a], j <= r0 + a);
        s[a * CHUNK + t] = x;
        mt[a] = max(mt[a], x);
      }
    }
    var p = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    for (var a = 0u; a < RQ; a++) {
      let mnew = max(m[a], mt[a]);
      let alpha = exp(m[a] - mnew);
      l[a] *= alpha;
      for (var c = 0u; c < D4; c++) { acc[a * D4 + c] *= alpha; }
      m[a] = mnew;
    }
    for (var t = 0u; t < lim; t++) {
      let vb = base + (k0 + t) * D4;
      var pv = vec4<f32>(0.0);
      for (var a = 0u; a < RQ; a++) {
        pv[a] = exp(s[a * CHUNK + t] - m[a]);
        l[a] += pv[a];
      }
      for (var c = 0u; c < D4; c++) {
        let vv = v[vb + c];
        acc[c] += pv[0] * vv;
        acc[D4 + c] += pv[1] * vv;
        acc[2u * D4 + c] += pv[2] * vv;
        acc[3u * D4 + c] += pv[3] * vv;
      }
    }
  }
  for (var a = 0u; a < RQ; a++) {
    let row = r0 + a;
    if (row < n) {
      let inv = 1.0 / l[a];
      for (var c = 0u; c < D4; c++) { out[base + row * D4 + c] = acc[a * D4 + c] * inv; }
      lse[head * n + row] = m[a] + log(l[a]);
    }
  }
}

// ------------------------------------------------------------------ backward

// delta_i = Σ_c dO[i, c] · O[i, c], one invocation per row (written through the `lse` binding).
@compute @workgroup_size(64)
fn delta_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x * ROWS + lid;
  if (row >= params.n) { return; }
  let off = (wid.y * params.n + row) * D4;
  var s = 0.0;
  for (var c = 0u; c < D4; c++) { s += dot(dout[off + c], o[off + c]); }
  lse[wid.y * params.n + row] = s;
}

// dQ_i = scale · Σ_{j ≤ i} P_ij (dO_i·V_j − delta_i) K_j; four adjacent query rows per invocation.
@compute @workgroup_size(16)
fn dq(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let r0 = wid.x * ROWS + lid * RQ;
  if (r0 >= n) { return; }
  let head = wid.y;
  let base = head * n * D4;
  var qv: array<vec4<f32>, 128>;
  var gv: array<vec4<f32>, 128>;
  var acc: array<vec4<f32>, 128>;
  var L: vec4<f32>;
  var dl: vec4<f32>;
  for (var a = 0u; a < RQ; a++) {
    let row = min(r0 + a, n - 1u);
    for (var c = 0u; c < D4; c++) {
      qv[a * D4 + c] = q[base + row * D4 + c] * params.scale;
      gv[a * D4 + c] = dout[base + row * D4 + c];
      acc[a * D4 + c] = vec4<f32>(0.0);
    }
    L[a] = lse_in[head * n + row];
    dl[a] = delta[head * n + row];
  }
  let last = min(r0 + RQ, n) - 1u;
  for (var j = 0u; j <= last; j++) {
    let kb = base + j * D4;
    var sc = vec4<f32>(0.0);
    var dp = vec4<f32>(0.0);
    for (var c = 0u; c < D4; c++) {
      let kk = k[kb + c];
      let vv = v[kb + c];
      sc[0] += dot(qv[c], kk);
      sc[1] += dot(qv[D4 + c], kk);
      sc[2] += dot(qv[2u * D4 + c], kk);
      sc[3] += dot(qv[3u * D4 + c], kk);
      dp[0] += dot(gv[c], vv);
      dp[1] += dot(gv[D4 + c], vv);
      dp[2] += dot(gv[2u * D4 + c], vv);
      dp[3] += dot(gv[3u * D4 + c], vv);
    }
    let valid = vec4<bool>(j <= r0, j <= r0 + 1u, j <= r0 + 2u, j <= r0 + 3u);
    let ds = select(vec4<f32>(0.0), exp(sc - L) * (dp - dl), valid);
    for (var c = 0u; c < D4; c++) {
      let kk = k[kb + c];
      acc[c] += ds[0] * kk;
      acc[D4 + c] += ds[1] * kk;
      acc[2u * D4 + c] += ds[2] * kk;
      acc[3u * D4 + c] += ds[3] * kk;
    }
  }
  for (var a = 0u; a < RQ; a++) {
    let row = r0 + a;
    if (row < n) {
      for (var c = 0u; c < D4; c++) { out[base + row * D4 + c] = acc[a * D4 + c] * params.scale; }
    }
  }
}

// dV_j = Σ_{i ≥ j} P_ij dO_i and dK_j = scale · Σ_{i ≥ j} P_ij (dO_i·V_j − delta_i) Q_i; four
// adjacent key rows per invocation (dV through `out`, dK through `dk`).
@compute @workgroup_size(16)
fn dkv(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let j0 = wid.x * ROWS + lid * RQ;
  if (j0 >= n) { return; }
  let head = wid.y;
  let base = head * n * D4;
  var kv: array<vec4<f32>, 128>;
  var vv: array<vec4<f32>, 128>;
  var ak: array<vec4<f32>, 128>;
  var av: array<vec4<f32>, 128>;
  for (var a = 0u; a < RQ; a++) {
    let key = min(j0 + a, n - 1u);
    for (var c = 0u; c < D4; c++) {
      kv[a * D4 + c] = k[base + key * D4 + c] * params.scale;
      vv[a * D4 + c] = v[base + key * D4 + c];
      ak[a * D4 + c] = vec4<f32>(0.0);
      av[a * D4 + c] = vec4<f32>(0.0);
    }
  }
  for (var i = j0; i < n; i++) {
    let qb = base + i * D4;
    var sc = vec4<f32>(0.0);
    var dp = vec4<f32>(0.0);
    for (var c = 0u; c < D4; c++) {
      let qq = q[qb + c];
      let gg = dout[qb + c];
      sc[0] += dot(kv[c], qq);
      sc[1] += dot(kv[D4 + c], qq);
      sc[2] += dot(kv[2u * D4 + c], qq);
      sc[3] += dot(kv[3u * D4 + c], qq);
      dp[0] += dot(vv[c], gg);
      dp[1] += dot(vv[D4 + c], gg);
      dp[2] += dot(vv[2u * D4 + c], gg);
      dp[3] += dot(vv[3u * D4 + c], gg);
    }
    let valid = vec4<bool>(j0 <= i, j0 + 1u <= i, j0 + 2u <= i, j0 + 3u <= i);
    let p = select(vec4<f32>(0.0), exp(sc - lse_in[head * n + i]), valid);
    let ds = p * (dp - delta[head * n + i]);
    for (var c = 0u; c < D4; c++) {
      let qq = q[qb + c];
      let gg = dout[qb + c];
      av[c] += p[0] * gg;
      av[D4 + c] += p[1] * gg;
      av[2u * D4 + c] += p[2] * gg;
      av[3u * D4 + c] += p[3] * gg;
      ak[c] += ds[0] * qq;
      ak[D4 + c] += ds[1] * qq;
      ak[2u * D4 + c] += ds[2] * qq;
      ak[3u * D4 + c] += ds[3] * qq;
    }
  }
  for (var a = 0u; a < RQ; a++) {
    let key = j0 + a;
    if (key < n) {
      for (var c = 0u; c < D4; c++) {
        dk[base + key * D4 + c] = ak[a * D4 + c] * params.scale;
        out[base + key * D4 + c] = av[a * D4 + c];
      }
    }
  }
}

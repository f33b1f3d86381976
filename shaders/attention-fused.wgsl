// Fused causal attention, forward and backward, without an N × N buffer (FlashAttention-style).
// Q, K, V, O, dO: [heads, n, d] row-major as vec4 (heads = batch × heads, d a multiple of 4, ≤ 128);
// lse, delta: [heads, n]. One row per invocation (a query for the forward and dQ, a key for dK dV),
// held in private vec4 registers; the other side is read straight from storage (every invocation
// of a workgroup reads the same rows, which caches serve; workgroup-memory tiles cost a minute of
// shader compilation per entry point on SwiftShader). Keys stream in chunks of 32: online softmax
// with a running max m, running sum l and an f32 accumulator rescaled once per chunk; lse = m + log l
// is saved for the backward, which recomputes P chunk by chunk: dQ per query row (entry `dq`), dK and
// dV per key row (entry `dkv`), after delta_i = dO_i · O_i (entry `delta_rows`). Causality is a loop
// bound (keys ≤ row; queries ≥ key): no masked entry is ever computed.

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

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let row = wid.x * ROWS + lid;
  if (row >= n) { return; }
  let head = wid.y;
  let base = head * n * D4;
  var qv: array<vec4<f32>, 32>;
  var acc: array<vec4<f32>, 32>;
  var s: array<f32, 32>;
  for (var c = 0u; c < D4; c++) {
    qv[c] = q[base + row * D4 + c] * params.scale;
    acc[c] = vec4<f32>(0.0);
  }
  var m = NEG;
  var l = 0.0;
  for (var k0 = 0u; k0 <= row; k0 += CHUNK) {
    let lim = min(CHUNK, row + 1u - k0);
    var mt = NEG;
    for (var t = 0u; t < lim; t++) {
      let kb = base + (k0 + t) * D4;
      var sc = 0.0;
      for (var c = 0u; c < D4; c++) { sc += dot(qv[c], k[kb + c]); }
      s[t] = sc;
      mt = max(mt, sc);
    }
    let mnew = max(m, mt);
    let alpha = exp(m - mnew);
    l *= alpha;
    for (var c = 0u; c < D4; c++) { acc[c] *= alpha; }
    for (var t = 0u; t < lim; t++) {
      let p = exp(s[t] - mnew);
      l += p;
      let vb = base + (k0 + t) * D4;
      for (var c = 0u; c < D4; c++) { acc[c] += p * v[vb + c]; }
    }
    m = mnew;
  }
  let inv = 1.0 / l;
  for (var c = 0u; c < D4; c++) { out[base + row * D4 + c] = acc[c] * inv; }
  lse[head * n + row] = m + log(l);
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

// dQ_i = scale · Σ_{j ≤ i} P_ij (dO_i·V_j − delta_i) K_j, one query row per invocation.
@compute @workgroup_size(64)
fn dq(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let row = wid.x * ROWS + lid;
  if (row >= n) { return; }
  let head = wid.y;
  let base = head * n * D4;
  var qv: array<vec4<f32>, 32>;
  var gv: array<vec4<f32>, 32>;
  var acc: array<vec4<f32>, 32>;
  for (var c = 0u; c < D4; c++) {
    qv[c] = q[base + row * D4 + c] * params.scale;
    gv[c] = dout[base + row * D4 + c];
    acc[c] = vec4<f32>(0.0);
  }
  let L = lse_in[head * n + row];
  let dl = delta[head * n + row];
  for (var j = 0u; j <= row; j++) {
    let kb = base + j * D4;
    var sc = 0.0;
    var dp = 0.0;
    for (var c = 0u; c < D4; c++) {
      sc += dot(qv[c], k[kb + c]);
      dp += dot(gv[c], v[kb + c]);
    }
    let ds = exp(sc - L) * (dp - dl);
    for (var c = 0u; c < D4; c++) { acc[c] += ds * k[kb + c]; }
  }
  for (var c = 0u; c < D4; c++) { out[base + row * D4 + c] = acc[c] * params.scale; }
}

// dV_j = Σ_{i ≥ j} P_ij dO_i and dK_j = scale · Σ_{i ≥ j} P_ij (dO_i·V_j − delta_i) Q_i, one key row
// per invocation (dV through `out`, dK through `dk`).
@compute @workgroup_size(64)
fn dkv(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let key = wid.x * ROWS + lid;
  if (key >= n) { return; }
  let head = wid.y;
  let base = head * n * D4;
  var kv: array<vec4<f32>, 32>;
  var vv: array<vec4<f32>, 32>;
  var ak: array<vec4<f32>, 32>;
  var av: array<vec4<f32>, 32>;
  for (var c = 0u; c < D4; c++) {
    kv[c] = k[base + key * D4 + c] * params.scale;
    vv[c] = v[base + key * D4 + c];
    ak[c] = vec4<f32>(0.0);
    av[c] = vec4<f32>(0.0);
  }
  for (var i = key; i < n; i++) {
    let qb = base + i * D4;
    var sc = 0.0;
    var dp = 0.0;
    for (var c = 0u; c < D4; c++) {
      sc += dot(kv[c], q[qb + c]);
      dp += dot(vv[c], dout[qb + c]);
    }
    let p = exp(sc - lse_in[head * n + i]);
    let ds = p * (dp - delta[head * n + i]);
    for (var c = 0u; c < D4; c++) {
      av[c] += p * dout[qb + c];
      ak[c] += ds * q[qb + c];
    }
  }
  for (var c = 0u; c < D4; c++) {
    dk[base + key * D4 + c] = ak[c] * params.scale;
    out[base + key * D4 + c] = av[c];
  }
}

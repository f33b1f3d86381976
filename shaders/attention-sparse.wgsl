// Causal attention driven by a sparse index in MInference's layout (one kernel for every pattern).
// Per head and 64-row query block b: block_count[b] key blocks starting at block_offset[b·nnz_s + t]
// (64 keys from any start), and column_count[b] single key columns column_index[b·nnz_v + c].
// One query row per invocation, 64 rows = one query block per workgroup; online softmax over the
// blocks (two chunks of 32 keys each) and then the columns (gathered 32 at a time). Causality is
// a loop bound inside a block (only the blocks that reach past the block's first row need it) and
// a test per gathered column. Entry `recall` walks the same entries and sums, per row, the dense
// probabilities exp(s − lse_dense) it covers and how many entries it computes.
// Q, K, V, O: [heads, n, d] as vec4 (d multiple of 4, ≤ 128).

struct Params {
  n: u32,
  d: u32,
  scale: f32,
  heads: u32,
  rows: u32,
  nnz_s: u32,
  nnz_v: u32,
}

@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> block_count: array<u32>;
@group(0) @binding(5) var<storage, read> block_offset: array<u32>;
@group(0) @binding(6) var<storage, read> column_count: array<u32>;
@group(0) @binding(7) var<storage, read> column_index: array<u32>;
@group(0) @binding(8) var<storage, read> lse_in: array<f32>;
@group(0) @binding(9) var<storage, read_write> stats: array<f32>;
@group(0) @binding(10) var<uniform> params: Params;

const BLOCK = 64u;
const CHUNK = 32u;
const NEG = -3.0e38;

struct Walk {
  row: u32,
  head: u32,
  base: u32,
  qb: u32,
}

fn score(w: Walk, qv: ptr<function, array<vec4<f32>, 32>>, j: u32) -> f32 {
  let D4 = params.d / 4u;
  let kb = w.base + j * D4;
  var sc = 0.0;
  for (var c = 0u; c < D4; c++) { sc += dot((*qv)[c], k[kb + c]); }
  return sc;
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let D4 = params.d / 4u;
  let qb = wid.x;
  let row = qb * BLOCK + lid;
  if (row >= n) { return; }
  let head = wid.y;
  let w = Walk(row, head, head * n * D4, qb);
  var qv: array<vec4<f32>, 32>;
  var acc: array<vec4<f32>, 32>;
  var s: array<f32, 32>;
  var js: array<u32, 32>;
  for (var c = 0u; c < D4; c++) {
    qv[c] = q[w.base + row * D4 + c] * params.scale;
    acc[c] = vec4<f32>(0.0);
  }
  var m = NEG;
  var l = 0.0;
  let slot = head * params.rows + qb;
  let nb = block_count[slot];
  let nc = column_count[slot];
  // Chunks: first the blocks (two of 32 keys each), then the columns (32 at a time).
  let chunks = 2u * nb + (nc + CHUNK - 1u) / CHUNK;
  for (var ch = 0u; ch < chunks; ch++) {
    var cnt = 0u;
    if (ch < 2u * nb) {
      let start = block_offset[slot * params.nnz_s + ch / 2u] + (ch % 2u) * CHUNK;
      // keys start … start + lim − 1: inside n and, past the block's first row, ≤ row
      var lim = 0u;
      if (start <= row) { lim = min(CHUNK, row + 1u - start); }
      for (var t = 0u; t < lim; t++) { js[t] = start + t; }
      cnt = lim;
    } else {
      let c0 = (ch - 2u * nb) * CHUNK;
      let lim = min(CHUNK, nc - c0);
      for (var t = 0u; t < lim; t++) {
        let j = column_index[slot * params.nnz_v + c0 + t];
        if (j <= row) {
          js[cnt] = j;
          cnt++;
        }
      }
    }
    if (cnt == 0u) { continue; }
    var mt = NEG;
    for (var t = 0u; t < cnt; t++) {
      s[t] = score(w, &qv, js[t]);
      mt = max(mt, s[t]);
    }
    let mnew = max(m, mt);
    let alpha = exp(m - mnew);
    l *= alpha;
    for (var c = 0u; c < D4; c++) { acc[c] *= alpha; }
    for (var t = 0u; t < cnt; t++) {
      let p = exp(s[t] - mnew);
      l += p;
      let vb = w.base + js[t] * D4;
      for (var c = 0u; c < D4; c++) { acc[c] += p * v[vb + c]; }
    }
    m = mnew;
  }
  var inv = 0.0;
  if (l > 0.0) { inv = 1.0 / l; }
  for (var c = 0u; c < D4; c++) { out[w.base + row * D4 + c] = acc[c] * inv; }
}

// stats[(head·n + row)·2 + 0] = Σ over the row's computed entries of the dense probability,
// stats[… + 1] = how many entries the row computes.
@compute @workgroup_size(64)
fn recall(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let D4 = params.d / 4u;
  let qb = wid.x;
  let row = qb * BLOCK + lid;
  if (row >= n) { return; }
  let head = wid.y;
  let w = Walk(row, head, head * n * D4, qb);
  var qv: array<vec4<f32>, 32>;
  for (var c = 0u; c < D4; c++) { qv[c] = q[w.base + row * D4 + c] * params.scale; }
  let L = lse_in[head * n + row];
  let slot = head * params.rows + qb;
  var mass = 0.0;
  var count = 0u;
  for (var t = 0u; t < block_count[slot]; t++) {
    let start = block_offset[slot * params.nnz_s + t];
    if (start > row) { continue; }
    let lim = min(BLOCK, row + 1u - start);
    for (var x = 0u; x < lim; x++) { mass += exp(score(w, &qv, start + x) - L); }
    count += lim;
  }
  for (var c = 0u; c < column_count[slot]; c++) {
    let j = column_index[slot * params.nnz_v + c];
    if (j <= row) {
      mass += exp(score(w, &qv, j) - L);
      count++;
    }
  }
  stats[(head * n + row) * 2u] = mass;
  stats[(head * n + row) * 2u + 1u] = f32(count);
}

// MInference's index builders on the GPU, writing the sparse index of shaders/attention-sparse.wgsl
// (per head and 64-row query block: block_count, block_offset[nnz_s], column_count, column_index[nnz_v]).
//   a_shape      `init` sink columns + the 64-aligned key blocks of a `local`-token window.
//   pool         mean of Q and K over 64-token blocks (block-sparse).
//   block_topk   block scores Q̄_a·K̄_b (b ≤ a), the top-k key blocks per query block, diagonal always
//                in, ties to the lower block, emitted in ascending order.
//   vs_softmax   vertical-slash: the causal row softmax (in place) of the last last_q queries'
//                logits against every key (computed by a batched GEMM on the TS side);
//   vs_scores    vertical[j] = Σ_r P[r, j] and slash[o] = Σ_r P[r, i_r − o];
//   topk         the top `kk` entries of a score vector (the first `forced` always in), ascending,
//                by a radix select of the k-th largest key and an ordered compaction;
//   vs_convert   MInference's conversion of the kept columns and offsets into blocks and columns.
// Q, K: [heads, n, d] as vec4.

struct Params {
  n: u32,
  d: u32,
  scale: f32,
  heads: u32,
  rows: u32,
  nnz_s: u32,
  nnz_v: u32,
  init: u32,
  local: u32,
  topk: u32,
  last_q: u32,
  kk: u32,
  forced: u32,
  nslash: u32,
  nv: u32,
  ns: u32,
  which: u32,
}

@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> block_count: array<u32>;
@group(0) @binding(3) var<storage, read_write> block_offset: array<u32>;
@group(0) @binding(4) var<storage, read_write> column_count: array<u32>;
@group(0) @binding(5) var<storage, read_write> column_index: array<u32>;
@group(0) @binding(6) var<storage, read_write> scratch: array<f32>;
@group(0) @binding(7) var<storage, read_write> scratch2: array<f32>;
@group(0) @binding(8) var<storage, read> sel_in: array<u32>;
@group(0) @binding(9) var<storage, read> sel_in2: array<u32>;
@group(0) @binding(10) var<storage, read_write> sel_out: array<u32>;
@group(0) @binding(11) var<uniform> params: Params;

const BLOCK = 64u;
const NEG = -3.0e38;

// ------------------------------------------------------------------ A-shape

@compute @workgroup_size(64)
fn a_shape(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  let head = gid.y;
  if (b >= params.rows) { return; }
  let slot = head * params.rows + b;
  let local = max(1u, params.local);
  var first = 0u;
  if (b * BLOCK + 1u > local) { first = (b * BLOCK + 1u - local) / BLOCK; }
  var nb = 0u;
  for (var kb = first; kb <= b; kb++) {
    block_offset[slot * params.nnz_s + nb] = kb * BLOCK;
    nb++;
  }
  block_count[slot] = nb;
  var nc = 0u;
  let sinks = min(params.init, min(params.n, first * BLOCK));
  for (var j = 0u; j < sinks; j++) {
    column_index[slot * params.nnz_v + nc] = j;
    nc++;
  }
  column_count[slot] = nc;
}

// ------------------------------------------------------------------ block-sparse

// scratch = pooled Q [heads, rows, d], scratch2 = pooled K; one invocation per (row block, channel).
@compute @workgroup_size(64)
fn pool(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  let head = gid.y;
  let D4 = params.d / 4u;
  if (idx >= params.rows * D4) { return; }
  let b = idx / D4;
  let c = idx % D4;
  let r1 = min(params.n, (b + 1u) * BLOCK);
  var sq = vec4<f32>(0.0);
  var sk = vec4<f32>(0.0);
  for (var i = b * BLOCK; i < r1; i++) {
    sq += q[(head * params.n + i) * D4 + c];
    sk += k[(head * params.n + i) * D4 + c];
  }
  let inv = 1.0 / f32(r1 - b * BLOCK);
  let o = ((head * params.rows + b) * D4 + c) * 4u;
  for (var t = 0u; t < 4u; t++) {
    scratch[o + t] = sq[t] * inv;
    scratch2[o + t] = sk[t] * inv;
  }
}

fn block_score(head: u32, a: u32, b: u32) -> f32 {
  let d = params.d;
  var s = 0.0;
  for (var c = 0u; c < d; c++) {
    s += scratch[(head * params.rows + a) * d + c] * scratch2[(head * params.rows + b) * d + c];
  }
  return s;
}

// Rank-based top-k (forced diagonal first, then by score, ties to the lower index): block b is kept
// when fewer than k blocks come before it in that order; emitting in b order keeps the list sorted.
@compute @workgroup_size(64)
fn block_topk(@builtin(global_invocation_id) gid: vec3<u32>) {
  let a = gid.x;
  let head = gid.y;
  if (a >= params.rows) { return; }
  let slot = head * params.rows + a;
  var sc: array<f32, 256>;
  for (var b = 0u; b <= a; b++) { sc[b] = block_score(head, a, b); }
  sc[a] = 3.0e38;
  let kk = max(1u, params.topk);
  var nb = 0u;
  for (var b = 0u; b <= a; b++) {
    var before = 0u;
    for (var x = 0u; x <= a; x++) {
      if (sc[x] > sc[b] || (sc[x] == sc[b] && x < b)) { before++; }
    }
    if (before < kk) {
      block_offset[slot * params.nnz_s + nb] = b * BLOCK;
      nb++;
    }
  }
  block_count[slot] = nb;
  column_count[slot] = 0u;
}

// ------------------------------------------------------------------ vertical-slash

// scratch[(head·last_q + r)·n + j] = q_{i_r}·k_j·scale (i_r = n − last_q + r), from a batched GEMM
// (src/attention/index-builders.ts); only j ≤ i_r is read.
@compute @workgroup_size(64)
fn vs_softmax(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  let head = gid.y;
  if (r >= params.last_q) { return; }
  let n = params.n;
  let o = (head * params.last_q + r) * n;
  let i = n - params.last_q + r;
  var m = NEG;
  for (var j = 0u; j <= i; j++) { m = max(m, scratch[o + j]); }
  var l = 0.0;
  for (var j = 0u; j <= i; j++) { l += exp(scratch[o + j] - m); }
  for (var j = 0u; j < n; j++) {
    var p = 0.0;
    if (j <= i) { p = exp(scratch[o + j] - m) / l; }
    scratch[o + j] = p;
  }
}

// scratch2[head·2n + t] = vertical score of column t, scratch2[head·2n + n + t] = slash score of offset t.
@compute @workgroup_size(64)
fn vs_scores(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  let head = gid.y;
  let n = params.n;
  if (t >= n) { return; }
  var vs = 0.0;
  var ss = 0.0;
  for (var r = 0u; r < params.last_q; r++) {
    let o = (head * params.last_q + r) * n;
    let i = n - params.last_q + r;
    vs += scratch[o + t];
    if (i >= t) { ss += scratch[o + i - t]; }
  }
  scratch2[head * 2u * n + t] = vs;
  scratch2[head * 2u * n + n + t] = ss;
}

// Top-kk of scratch2[head·2n + which·n + (0 … n−1)] (which: 0 columns, 1 offsets), the first `forced`
// always in; written ascending to sel_out[(head·2 + which)·nslash …]. One invocation per head and no
// barriers (SwiftShader runs a workgroup's barriers as coroutine switches, which cost more than the
// whole serial scan): the kk-th largest key T by a radix select on the keys' bytes (four passes of
// a 256-bin histogram), then one ordered pass keeps every key > T and the first ones equal to T.
fn key_of(base: u32, t: u32) -> u32 {
  if (t < params.forced) { return 0xffffffffu; }
  return bitcast<u32>(max(scratch2[base + t], 0.0));
}

@compute @workgroup_size(1)
fn topk(@builtin(workgroup_id) wid: vec3<u32>) {
  let n = params.n;
  let which = params.which;
  let head = wid.y;
  let base = head * 2u * n + which * n;
  let kk = params.kk;
  var hist: array<u32, 256>;
  var T = 0u; // the bytes of the kk-th largest key found so far (from the top)
  var prefix_mask = 0u;
  var need = kk; // how many keys ≥ T are still to place at this digit
  for (var p = 0u; p < 4u; p++) {
    let shift = 24u - 8u * p;
    for (var x = 0u; x < 256u; x++) { hist[x] = 0u; }
    for (var t = 0u; t < n; t++) {
      let key = key_of(base, t);
      if ((key & prefix_mask) == T) { hist[(key >> shift) & 255u] += 1u; }
    }
    var digit = 255u;
    loop {
      let h = hist[digit];
      if (h >= need || digit == 0u) { break; }
      need -= h;
      digit--;
    }
    T |= digit << shift;
    prefix_mask |= 255u << shift;
  }
  // need = how many keys equal to T to keep (the rest of the kk are > T); kept in index order.
  var pos = 0u;
  var eq = 0u;
  let out = (head * 2u + which) * params.nslash;
  for (var t = 0u; t < n; t++) {
    let x = key_of(base, t);
    var keep = x > T;
    if (x == T) {
      keep = eq < need;
      eq++;
    }
    if (keep) {
      sel_out[out + pos] = t;
      pos++;
    }
  }
}

// MInference's conversion for query block b = [s, e = s + 64): each kept offset o < e becomes the
// key range ending at max(e − o, 64), 64 wide; taken by increasing end, a range ending more than a
// block past the current one closes it (cut into 64-wide blocks), a nearer one extends it by a
// block; kept columns left of the current range are emitted, those inside it dropped.
// sel_in = the kept columns (ascending, nv of them), sel_in2 = the kept offsets (ascending, ns).
@compute @workgroup_size(64)
fn vs_convert(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  let head = gid.y;
  if (b >= params.rows) { return; }
  let slot = head * params.rows + b;
  let e = (b + 1u) * BLOCK;
  let cols = (head * 2u) * params.nslash;
  let offs = (head * 2u + 1u) * params.nslash;
  var nb = 0u;
  var nc = 0u;
  var vi = 0u;
  // Offsets descending = range ends ascending; skip offsets ≥ e (no key of this block on them).
  var si = params.ns;
  while (si > 0u && sel_in2[offs + si - 1u] >= e) { si--; }
  if (si == 0u) {
    for (var x = 0u; x < params.nv; x++) {
      let j = sel_in[cols + x];
      if (j < e) {
        column_index[slot * params.nnz_v + nc] = j;
        nc++;
      }
    }
    block_count[slot] = 0u;
    column_count[slot] = nc;
    return;
  }
  si--;
  var hi = max(e - sel_in2[offs + si], BLOCK);
  var lo = hi - BLOCK;
  loop {
    var end = 0u;
    var more = si > 0u;
    if (more) {
      si--;
      end = max(e - sel_in2[offs + si], BLOCK);
      if (end <= hi) { continue; }
    }
    if (!more || end > hi + BLOCK) {
      while (vi < params.nv && sel_in[cols + vi] < hi) {
        let j = sel_in[cols + vi];
        if (j < lo) {
          column_index[slot * params.nnz_v + nc] = j;
          nc++;
        }
        vi++;
      }
      for (var x = lo; x < hi; x += BLOCK) {
        block_offset[slot * params.nnz_s + nb] = x;
        nb++;
      }
      if (!more) { break; }
      lo = end - BLOCK;
      hi = end;
    } else {
      hi += BLOCK;
    }
  }
  block_count[slot] = nb;
  column_count[slot] = nc;
}

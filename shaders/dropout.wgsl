// Dropout from a counter-based RNG: Philox4x32-10 (Salmon et al., "Parallel random numbers: as
// easy as 1, 2, 3", SC 2011). Invocation q handles elements 4q … 4q + 3 with the four words of
// philox(counter = (offset + q as 64 bits: lo, hi), 0, 0; key = (seed, 0)). Element 4q + j is kept
// when (word_j >> 8) ≥ threshold (threshold = ⌈p · 2²⁴⌉), and then scaled by 1/(1 − p).
// The same seed and offset give the same mask (the backward regenerates it); another offset
// gives another.

struct Params {
  n: u32,
  seed: u32,
  offsetLo: u32,
  offsetHi: u32,
  threshold: u32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const M0: u32 = 0xD2511F53u;
const M1: u32 = 0xCD9E8D57u;
const W0: u32 = 0x9E3779B9u;
const W1: u32 = 0xBB67AE85u;

// The 64-bit product a·b as (hi, lo), from 16-bit halves.
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let aL = a & 0xFFFFu;
  let aH = a >> 16u;
  let bL = b & 0xFFFFu;
  let bH = b >> 16u;
  let m1 = aH * bL;
  let m2 = aL * bH;
  let carry = ((aL * bL) >> 16u) + (m1 & 0xFFFFu) + (m2 & 0xFFFFu);
  let hi = aH * bH + (m1 >> 16u) + (m2 >> 16u) + (carry >> 16u);
  return vec2<u32>(hi, a * b);
}

fn philox(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    let p0 = mulhilo(M0, c.x);
    let p1 = mulhilo(M1, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = vec2<u32>(k.x + W0, k.y + W1);
  }
  return c;
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let q = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (4u * q >= params.n) { return; }
  let lo = params.offsetLo + q;
  let hi = params.offsetHi + select(0u, 1u, lo < q);
  let w = philox(vec4<u32>(lo, hi, 0u, 0u), vec2<u32>(params.seed, 0u));
  for (var j = 0u; j < 4u; j++) {
    let i = 4u * q + j;
    if (i < params.n) {
      out[i] = select(0.0, x[i] * params.scale, (w[j] >> 8u) >= params.threshold);
    }
  }
}

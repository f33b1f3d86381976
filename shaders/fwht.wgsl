// Fast Walsh–Hadamard transform of every row (length n, a power of two) of a batch, in passes.
//
// One pass applies `lg` butterfly stages, the stages of distances stride, 2·stride, …, (g/2)·stride
// (g = 2^lg ≤ TILE). The elements a pass mixes form groups of g elements spaced `stride` apart; a
// workgroup loads TILE / g such groups into workgroup memory, runs the stages there (radix-4: two
// stages per barrier, a last radix-2 stage when lg is odd), and writes them back multiplied by
// `scale`. The host plans passes of up to log2(TILE) = 12 stages: n ≤ 4096 takes one pass, n ≤ 2^24
// two. Every pass reads x and writes out; the host ping-pongs between the output and a scratch
// buffer so that the last pass writes the output (one entry point: one pipeline to compile).
//
// Butterfly: (a, b) → (a + b, a − b) for the pair (j, j + h) inside every block of 2h.

struct Params {
  n: u32,
  total: u32,
  g: u32,
  lg: u32,
  stride: u32,
  scale: f32,
}

const TILE: u32 = 4096u;
const WG: u32 = 256u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> tile: array<f32, 4096>;

// Local position f (0 ≤ f < TILE) → (slot, k): consecutive f hit consecutive addresses in memory
// (along k when the group is contiguous, along the slots when it is strided).
fn slotOf(f: u32) -> vec2<u32> {
  let slots = TILE / params.g;
  if (params.stride == 1u) {
    return vec2<u32>(f >> params.lg, f & (params.g - 1u));
  }
  return vec2<u32>(f % slots, f / slots);
}

// Global element index of element k of group `grp` (groups counted over the whole batch), or
// 0xffffffff past the end.
fn globalIndex(grp: u32, k: u32) -> u32 {
  if (grp >= params.total / params.g) {
    return 0xffffffffu;
  }
  let perRow = params.n / params.g;
  let row = grp / perRow;
  let q = grp % perRow;
  let blk = q / params.stride;
  let off = q % params.stride;
  return row * params.n + blk * params.g * params.stride + off + k * params.stride;
}

fn stages(lid: u32) {
  var h = 1u;
  loop {
    if (h * 4u <= params.g) {
      for (var t = lid; t < TILE / 4u; t += WG) {
        let j = (t / h) * 4u * h + (t % h);
        let a = tile[j];
        let b = tile[j + h];
        let c = tile[j + 2u * h];
        let d = tile[j + 3u * h];
        let s0 = a + b;
        let s1 = a - b;
        let s2 = c + d;
        let s3 = c - d;
        tile[j] = s0 + s2;
        tile[j + h] = s1 + s3;
        tile[j + 2u * h] = s0 - s2;
        tile[j + 3u * h] = s1 - s3;
      }
      workgroupBarrier();
      h = h * 4u;
    } else if (h * 2u <= params.g) {
      for (var t = lid; t < TILE / 2u; t += WG) {
        let j = (t / h) * 2u * h + (t % h);
        let a = tile[j];
        let b = tile[j + h];
        tile[j] = a + b;
        tile[j + h] = a - b;
      }
      workgroupBarrier();
      h = h * 2u;
    } else {
      break;
    }
  }
}

fn firstGroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return (wid.y * nwg.x + wid.x) * (TILE / params.g);
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let g0 = firstGroup(wid, nwg);
  for (var f = lid; f < TILE; f += WG) {
    let sk = slotOf(f);
    let gi = globalIndex(g0 + sk.x, sk.y);
    var v = 0.0;
    if (gi != 0xffffffffu) {
      v = x[gi];
    }
    tile[sk.x * params.g + sk.y] = v;
  }
  workgroupBarrier();
  stages(lid);
  for (var f = lid; f < TILE; f += WG) {
    let sk = slotOf(f);
    let gi = globalIndex(g0 + sk.x, sk.y);
    if (gi != 0xffffffffu) {
      out[gi] = tile[sk.x * params.g + sk.y] * params.scale;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Register variant (no workgroup memory, no barriers): one invocation loads one group of g ≤ 16
// elements (spaced `stride` apart) into registers, applies its lg ≤ 4 stages and stores them. The
// host plans ⌈log2 n / 4⌉ such passes. On CPU adapters (SwiftShader) barriers are costly and this
// is the faster plan; on GPUs the workgroup plan above moves the data fewer times.

var<private> v: array<f32, 16>;

fn radixBase(grp: u32) -> u32 {
  let perRow = params.n / params.g;
  let row = grp / perRow;
  let q = grp % perRow;
  return row * params.n + (q / params.stride) * params.g * params.stride + (q % params.stride);
}

fn butterflies() {
  var h = 1u;
  loop {
    if (h >= params.g) {
      break;
    }
    for (var j = 0u; j < params.g; j++) {
      if ((j & h) == 0u) {
        let a = v[j];
        let b = v[j + h];
        v[j] = a + b;
        v[j + h] = a - b;
      }
    }
    h = h * 2u;
  }
}

@compute @workgroup_size(256)
fn radix(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let grp = (wid.y * nwg.x + wid.x) * WG + lid;
  if (grp >= params.total / params.g) {
    return;
  }
  let base = radixBase(grp);
  for (var k = 0u; k < params.g; k++) {
    v[k] = x[base + k * params.stride];
  }
  butterflies();
  for (var k = 0u; k < params.g; k++) {
    out[base + k * params.stride] = v[k] * params.scale;
  }
}

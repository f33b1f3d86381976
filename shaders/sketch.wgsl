// Sketching helpers around the FWHT (src/sketch/sketches.ts), A is n × d row-major.
// - signPadT: Z (d × nPad) = (D·A padded with zero rows)ᵀ, D = diag(signs): the SRHT's first step,
//   laid out so that the FWHT runs along rows.
// - sampleT:  out (m × d), out[j, c] = scale · Y[c, rows[j]]: the SRHT's row sample P (and √(nPad/m)).
// - csrRows:  out (m × d) = S·A for a sparse S stored by rows (CSR: rowPtr, idx, vals): CountSketch and
//   OSNAP without forming S (each output row gathers the signed input rows hashed to it).
// One invocation per output element; consecutive invocations write consecutive addresses.

struct Params {
  n: u32,
  d: u32,
  nPad: u32,
  m: u32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> signs: array<f32>;
@group(0) @binding(2) var<storage, read> rows: array<u32>;
@group(0) @binding(3) var<storage, read> rowPtr: array<u32>;
@group(0) @binding(4) var<storage, read> idx: array<u32>;
@group(0) @binding(5) var<storage, read> vals: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

fn flat(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 256u + lid;
}

@compute @workgroup_size(256)
fn signPadT(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = flat(wid, nwg, lid);
  if (o >= params.d * params.nPad) { return; }
  let c = o / params.nPad;
  let i = o % params.nPad;
  var v = 0.0;
  if (i < params.n) {
    v = signs[i] * a[i * params.d + c];
  }
  out[o] = v;
}

@compute @workgroup_size(256)
fn sampleT(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = flat(wid, nwg, lid);
  if (o >= params.m * params.d) { return; }
  let j = o / params.d;
  let c = o % params.d;
  out[o] = params.scale * a[c * params.nPad + rows[j]];
}

@compute @workgroup_size(256)
fn csrRows(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = flat(wid, nwg, lid);
  if (o >= params.m * params.d) { return; }
  let j = o / params.d;
  let c = o % params.d;
  var s = 0.0;
  for (var e = rowPtr[j]; e < rowPtr[j + 1u]; e++) {
    s += vals[e] * a[idx[e] * params.d + c];
  }
  out[o] = s;
}

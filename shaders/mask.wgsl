// Masks: the causal mask of attention scores and an elementwise select.
//
// causal: over trailing [rows, cols] matrices, out = fill where col > row + offset, else x.
// where:  out[i] = cond[i % condSize] ≠ 0 ? a[i] : b[i % bSize]. cond is read as raw 32-bit words:
//         COND_F32 compares its f32 value with 0 (so −0 is false), else its integer value.
// pick:   the gradient of where: out[i] = g[i] where (cond ≠ 0) == KEEP_TRUE, else 0.

override COND_F32: bool = true;
override KEEP_TRUE: bool = true;

struct Params {
  n: u32,
  rows: u32,
  cols: u32,
  offset: i32,
  fill: f32,
  condSize: u32,
  bSize: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> cond: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

fn index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 256u + lid;
}

fn truth(i: u32) -> bool {
  let w = cond[i % params.condSize];
  if (COND_F32) { return bitcast<f32>(w) != 0.0; }
  return w != 0u;
}

@compute @workgroup_size(256)
fn causal(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let c = i32(i % params.cols);
  let r = i32((i / params.cols) % params.rows);
  out[i] = select(x[i], params.fill, c > r + params.offset);
}

@compute @workgroup_size(256)
fn where_(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = select(b[i % params.bSize], x[i], truth(i));
}

@compute @workgroup_size(256)
fn pick(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = select(0.0, x[i], truth(i) == KEEP_TRUE);
}

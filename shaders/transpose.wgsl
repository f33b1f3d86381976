// Batched 2-D transpose: x is [batch, rows, cols], out is [batch, cols, rows].
// One invocation per output element; consecutive invocations write consecutive addresses.

struct Params {
  rows: u32,
  cols: u32,
  batch: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = (wid.y * nwg.x + wid.x) * 256u + lid;
  let per = params.rows * params.cols;
  if (o >= per * params.batch) { return; }
  let bIdx = o / per;
  let rem = o % per;
  let c = rem / params.rows; // output row = input column
  let r = rem % params.rows;
  out[o] = x[bIdx * per + r * params.cols + c];
}

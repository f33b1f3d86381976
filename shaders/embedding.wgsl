// Embedding: gather rows of a table [vocab, dim] by integer ids, and its backward, a scatter-add
// that is deterministic without float atomics.
//
// gather:  one invocation per output element: out[i, d] = table[ids[i], d] (0 for an id outside
//          [0, vocab)).
// scatter: one workgroup of 64 per vocabulary row v. The ids are read in chunks of 64 into
//          workgroup memory; invocation lid owns the columns d ≡ lid (mod 64) of row v and adds
//          g[i, d] for every i with ids[i] = v in increasing i. Each output has one writer and a
//          fixed summation order: the same inputs give bit-identical gradients.

struct Params {
  n: u32,
  dim: u32,
  vocab: u32,
}

@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read_write> dtable: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

var<workgroup> chunk: array<i32, 64>;

@compute @workgroup_size(256)
fn gather(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (e >= params.n * params.dim) { return; }
  let i = e / params.dim;
  let d = e % params.dim;
  let id = ids[i];
  if (id < 0 || id >= i32(params.vocab)) {
    out[e] = 0.0;
    return;
  }
  out[e] = table[u32(id) * params.dim + d];
}

@compute @workgroup_size(64)
fn scatter(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let v = wid.y * nwg.x + wid.x;
  let live = v < params.vocab;
  if (live) {
    for (var d = lid; d < params.dim; d += 64u) { dtable[v * params.dim + d] = 0.0; }
  }
  for (var c = 0u; c < params.n; c += 64u) {
    workgroupBarrier();
    chunk[lid] = select(-1, ids[c + lid], c + lid < params.n);
    workgroupBarrier();
    if (live) {
      let m = min(64u, params.n - c);
      for (var j = 0u; j < m; j++) {
        if (chunk[j] == i32(v)) {
          let src = (c + j) * params.dim;
          for (var d = lid; d < params.dim; d += 64u) {
            dtable[v * params.dim + d] += g[src + d];
          }
        }
      }
    }
  }
}

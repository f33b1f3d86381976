// The N:M mask of the dense-sparse family (src/structured/dense-sparse.ts): out = s̃ with, in every
// group of m consecutive entries of a row, only the n largest |s̃| kept (ties: the smaller index).
// One invocation per group; selection by n passes over the group (m ≤ 32, a bit per entry).

struct Params {
  groups: u32,
  n: u32,
  m: u32,
}

@group(0) @binding(0) var<storage, read> s: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn mask(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let g = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (g >= params.groups) { return; }
  let base = g * params.m;
  var keep = 0u;
  for (var t = 0u; t < params.n; t++) {
    var best = params.m;
    var bestAbs = -1.0;
    for (var i = 0u; i < params.m; i++) {
      let a = abs(s[base + i]);
      if (((keep >> i) & 1u) == 0u && a > bestAbs) {
        best = i;
        bestAbs = a;
      }
    }
    keep = keep | (1u << best);
  }
  for (var i = 0u; i < params.m; i++) {
    var v = 0.0;
    if (((keep >> i) & 1u) == 1u) {
      v = s[base + i];
    }
    out[base + i] = v;
  }
}

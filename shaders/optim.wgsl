// Optimizer updates, in place on the parameter's storage (src/nn/optim). One invocation per
// element over a 2-D grid of 256-wide workgroups. `gscale` multiplies the raw gradient (global-norm
// clipping); every step's hyper-parameters arrive as uniforms, so one pipeline serves all shapes.
//
// adamw:     p ← p·(1 − lr·wd);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
//            p ← p − lr·(m / bc1) / (√(v / bc2) + eps)          (bc = 1 − βᵗ, PyTorch's AdamW)
// sgd:       g ← g + wd·p;  b ← μ·b + g;  p ← p − lr·(nesterov ? g + μ·b : b)   (PyTorch's SGD)
// momentum:  m ← lerp(m, g, 1 − β);  u ← nesterov ? lerp(g, m, β) : m          (Muon / AuON)
// apply:     p ← p·(1 − lr·wd) − lr·scale·o                                    (Muon, o = NS5(u))
// coshsq:    o ← cosh(u / (‖u‖ + 1e-7))²                 (AuON: its mean is the brake, stats[1])
// auon:      p ← p·(1 − lr·wd) − lr·scale·(u / (‖u‖ + 1e-7)) / (√mean cosh² + 1e-8)

struct Params {
  n: u32,
  nesterov: u32,
  lr: f32,
  wd: f32,
  gscale: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  bc1: f32,
  bc2: f32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read_write> p: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> o: array<f32>;
@group(0) @binding(5) var<storage, read> u: array<f32>;
@group(0) @binding(6) var<storage, read> unrm: array<f32>;
@group(0) @binding(7) var<storage, read> brake: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;

fn index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 256u + lid;
}

@compute @workgroup_size(256)
fn adamw(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let gi = g[i] * params.gscale;
  let mi = params.beta1 * m[i] + (1.0 - params.beta1) * gi;
  let vi = params.beta2 * v[i] + (1.0 - params.beta2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  let pi = p[i] * (1.0 - params.lr * params.wd);
  p[i] = pi - params.lr * (mi / params.bc1) / (sqrt(vi / params.bc2) + params.eps);
}

@compute @workgroup_size(256)
fn sgd(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let pi = p[i];
  let gi = g[i] * params.gscale + params.wd * pi;
  let bi = params.beta1 * m[i] + gi;
  m[i] = bi;
  let step = select(bi, gi + params.beta1 * bi, params.nesterov != 0u);
  p[i] = pi - params.lr * step;
}

@compute @workgroup_size(256)
fn momentum(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let gi = g[i] * params.gscale;
  let mi = params.beta1 * m[i] + (1.0 - params.beta1) * gi;
  m[i] = mi;
  o[i] = select(mi, (1.0 - params.beta1) * gi + params.beta1 * mi, params.nesterov != 0u);
}

@compute @workgroup_size(256)
fn apply(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  p[i] = p[i] * (1.0 - params.lr * params.wd) - params.lr * params.scale * u[i];
}

@compute @workgroup_size(256)
fn coshsq(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let c = cosh(u[i] / (unrm[0] + 1e-7));
  o[i] = c * c;
}

@compute @workgroup_size(256)
fn auon(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let x = u[i] / (unrm[0] + 1e-7);
  let upd = x / (sqrt(brake[0]) + 1e-8);
  p[i] = p[i] * (1.0 - params.lr * params.wd) - params.lr * params.scale * upd;
}

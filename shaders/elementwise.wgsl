// Elementwise kernels. One invocation per element over a 2-D grid of workgroups (so tensors
// larger than 65535 × 256 elements still dispatch). OP selects the function at pipeline creation.
//
// unary (x → out):       0 copy, 1 relu, 2 gelu (tanh form), 3 tanh, 4 exp, 5 neg, 6 abs, 7 square,
//                        8 sqrt, 9 fill with alpha; every result multiplied by alpha except 9.
// binary (x, y → out):   y broadcasts as a suffix: y index = i % ySize.
//                        0 alpha·x + beta·y, 1 alpha·x·y, 2 x / y,
//                        3 relu'(y)·x, 4 gelu'(y)·x, 5 (1 − y²)·x, 6 sign(y)·x, 7 (x == y ? 1 : 0)
//                        (gradients: x = upstream, y = input or output)
// update (y → out, in place):  out = alpha·out + beta·y (y broadcasts as above): optimizer steps,
//                        gradient accumulation. fill (→ out, in place): out = alpha.

override OP: u32 = 0u;

struct Params {
  n: u32,
  ySize: u32,
  alpha: f32,
  beta: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const GELU_C: f32 = 0.044715;

fn safe_tanh(v: f32) -> f32 {
  // tanh saturates to ±1 in f32 beyond |v| ≈ 9; clamping avoids inf/inf on some drivers.
  return tanh(clamp(v, -15.0, 15.0));
}

fn gelu(v: f32) -> f32 {
  return 0.5 * v * (1.0 + safe_tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v)));
}

fn gelu_grad(v: f32) -> f32 {
  let u = SQRT_2_OVER_PI * (v + GELU_C * v * v * v);
  let t = safe_tanh(u);
  let du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_C * v * v);
  return 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * du;
}

fn index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 256u + lid;
}

@compute @workgroup_size(256)
fn unary(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let v = x[i];
  var r: f32;
  switch OP {
    case 0u: { r = v; }
    case 1u: { r = max(v, 0.0); }
    case 2u: { r = gelu(v); }
    case 3u: { r = safe_tanh(v); }
    case 4u: { r = exp(v); }
    case 5u: { r = -v; }
    case 6u: { r = abs(v); }
    case 7u: { r = v * v; }
    case 8u: { r = sqrt(v); }
    default: { r = 1.0; }
  }
  out[i] = r * params.alpha;
}

@compute @workgroup_size(256)
fn binary(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let u = x[i];
  let v = y[i % params.ySize];
  var r: f32;
  switch OP {
    case 0u: { r = params.alpha * u + params.beta * v; }
    case 1u: { r = params.alpha * u * v; }
    case 2u: { r = u / v; }
    case 3u: { r = select(0.0, u, v > 0.0); }
    case 4u: { r = u * gelu_grad(v); }
    case 5u: { r = u * (1.0 - v * v); }
    case 6u: { r = u * sign(v); }
    default: { r = select(0.0, 1.0, u == v); }
  }
  out[i] = r;
}

@compute @workgroup_size(256)
fn update(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = params.alpha * out[i] + params.beta * y[i % params.ySize];
}

@compute @workgroup_size(256)
fn fill(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = params.alpha;
}

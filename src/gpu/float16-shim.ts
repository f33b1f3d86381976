/**
 * webgpu-utils 2 names Float16Array when it loads. Node 20 has none (browsers with WebGPU do);
 * we never lay out f16 uniforms, so a same-width stand-in only has to exist. Imported before
 * webgpu-utils (ES modules evaluate imports in order).
 */
const g = globalThis as { Float16Array?: unknown };
g.Float16Array ??= Uint16Array;

// Types of scripts/gen-attention.mjs (a plain Node script, imported by tests/unit/attention-generated.test.ts).
export const UNROLLED: number[];
export function attentionFusedWgsl(): string;
export function attentionSparseWgsl(): string;

/**
 * Text generation from a trained model: seeded sampling with temperature (0 = greedy). Each new
 * token runs the model on the last `context` tokens (no KV cache: the models are tiny).
 */
import { noGrad } from '../tensor/autograd';
import { Rng } from '../tensor/rng';
import { tidy } from '../tensor/tensor';
import type { Transformer } from './transformer';

export interface GenerateOptions {
  /** Token ids to start from (at least one). */
  prompt: ArrayLike<number>;
  tokens: number;
  temperature?: number;
  seed: number;
}

/** Sample index from logits / temperature (greedy when temperature is 0). */
export function sampleLogits(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  if (temperature <= 0) return best;
  const m = logits[best];
  const p = new Float64Array(logits.length);
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += p[i] = Math.exp((logits[i] - m) / temperature);
  let u = rng.uniform() * z;
  for (let i = 0; i < p.length; i++) {
    u -= p[i];
    if (u < 0) return i;
  }
  return p.length - 1;
}

export async function generate(model: Transformer, o: GenerateOptions): Promise<number[]> {
  if (o.prompt.length === 0) throw new Error('generate needs a prompt of at least one token');
  const rng = new Rng(o.seed);
  const out = Array.from(o.prompt);
  const ctx = model.spec.context;
  const V = model.vocab;
  for (let i = 0; i < o.tokens; i++) {
    const window = out.slice(-ctx);
    const T = window.length;
    const logits = tidy(() => noGrad(() => model.forward(window, 1, T)));
    const all = await logits.read();
    logits.dispose();
    out.push(sampleLogits(all.subarray((T - 1) * V, T * V), o.temperature ?? 1, rng));
  }
  return out.slice(o.prompt.length);
}

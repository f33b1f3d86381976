/**
 * The tiny char-level causal transformer (GPT-2 style, pre-norm; ALGORITHMS.md §7):
 *   x = tok_emb[ids] + pos_emb[positions]
 *   per block: x ← x + attn(ln_1(x));  x ← x + mlp(ln_2(x))   (mlp optional)
 *   logits = ln_f(x)·W_headᵀ   (W_head = tok_emb when tied)
 * Every Linear inside the blocks is dense or any structured family (`linear`); embeddings, norms
 * and the head stay dense. Reduced forms (Bermeitinger et al.): no MLP; collapsed query–key (one
 * W_qk [d, d] per head: logits_h = x_i·W_qkʰ·x_jᵀ/√d) with one W_vo per head; symmetric W_qk
 * stored as its upper triangle, `blocks.<i>.attn.qk_sym` [heads, d(d+1)/2] (row i of the triangle,
 * W[i, i … d−1], after row i − 1), built into [heads, d, d] on the GPU each forward pass
 * (src/tensor/symmetric.ts; its backward folds the gradient onto the triangle).
 * Init as nanoGPT: N(0, 0.02), residual projections N(0, 0.02/√(2·layers)), biases 0, gains 1.
 * Parameter names: tok_emb.weight, pos_emb.weight, blocks.<i>.ln_1.weight, blocks.<i>.attn.q_proj.weight,
 * …, blocks.<i>.mlp.fc.weight, blocks.<i>.mlp.proj.weight, ln_f.weight, lm_head.weight.
 */
import { add, matmul } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { symmetricFromTriangle, triangleSize } from '../tensor/symmetric';
import { Tensor } from '../tensor/tensor';
import { AttentionCache, causalAttention } from './attention-fn';
import { Embedding, LayerNorm, MLP, RMSNorm } from './layers';
import { Linear, type WeightSpec } from './linear';
import { Module } from './module';
import type { TransformerSpec } from './transformer.schema';

type Norm = LayerNorm | RMSNorm;

function makeNorm(gpu: Tensor['gpu'], spec: TransformerSpec): Norm {
  return spec.norm === 'rmsnorm' ? new RMSNorm(gpu, spec.dModel) : new LayerNorm(gpu, spec.dModel);
}

class Attention extends Module {
  private readonly lin: Record<string, Linear> = {};
  private readonly qkM: Tensor | null = null;

  constructor(
    gpu: Tensor['gpu'],
    readonly spec: TransformerSpec,
    linear: WeightSpec,
    rng: Rng,
    readonly cache: AttentionCache,
  ) {
    super();
    const { dModel: d, heads: h, bias } = spec;
    const resid = 0.02 / Math.sqrt(2 * spec.layers);
    if (spec.attention === 'standard') {
      for (const n of ['q_proj', 'k_proj', 'v_proj'])
        this.lin[n] = this.child(n, new Linear(gpu, d, d, { weight: linear, bias, rng }));
      this.lin.o_proj = this.child(
        'o_proj',
        new Linear(gpu, d, d, { weight: linear, bias, rng, std: resid }),
      );
    } else {
      if (spec.attention === 'collapsed')
        this.lin.qk_proj = this.child(
          'qk_proj',
          new Linear(gpu, d, h * d, { weight: linear, bias: false, rng }),
        );
      else this.qkM = this.param('qk_sym', Tensor.randn(gpu, [h, triangleSize(d)], rng, 0.02));
      this.lin.vo_proj = this.child(
        'vo_proj',
        new Linear(gpu, d, h * d, { weight: linear, bias, rng, std: resid }),
      );
    }
  }

  /** [h·d, d] stacked identities: x·tileᵀ repeats x per head; y·tile sums the heads. */
  private tile(): Tensor {
    const { dModel: d, heads: h } = this.spec;
    if (h === 1) return this.cache.select(0, 1, d);
    return this.cache.stack(h, d);
  }

  forward(x: Tensor, B: number, T: number): Tensor {
    const { dModel: d, heads: h } = this.spec;
    if (this.spec.attention === 'standard') {
      const q = this.lin.q_proj.forward(x).reshape([B, T, d]);
      const k = this.lin.k_proj.forward(x).reshape([B, T, d]);
      const v = this.lin.v_proj.forward(x).reshape([B, T, d]);
      const y = causalAttention(q, k, v, h, this.cache).reshape([B * T, d]);
      return this.lin.o_proj.forward(y);
    }
    const tile = this.tile();
    let q: Tensor;
    if (this.qkM) {
      const w = symmetricFromTriangle(this.qkM, d).reshape([h * d, d]);
      q = matmul(x, w, { transB: true });
    } else q = this.lin.qk_proj.forward(x);
    const k = h === 1 ? x : matmul(x, tile, { transB: true });
    const v = this.lin.vo_proj.forward(x);
    const y = causalAttention(
      q.reshape([B, T, h * d]),
      k.reshape([B, T, h * d]),
      v.reshape([B, T, h * d]),
      h,
      this.cache,
      1 / Math.sqrt(d),
    );
    const y2 = y.reshape([B * T, h * d]);
    return h === 1 ? y2 : matmul(y2, tile);
  }
}

class Block extends Module {
  readonly ln_1: Norm;
  readonly attn: Attention;
  readonly ln_2: Norm | null = null;
  readonly mlp: MLP | null = null;
  constructor(
    gpu: Tensor['gpu'],
    spec: TransformerSpec,
    linear: WeightSpec,
    rng: Rng,
    cache: AttentionCache,
  ) {
    super();
    this.ln_1 = this.child('ln_1', makeNorm(gpu, spec));
    this.attn = this.child('attn', new Attention(gpu, spec, linear, rng, cache));
    if (spec.mlp) {
      this.ln_2 = this.child('ln_2', makeNorm(gpu, spec));
      this.mlp = this.child(
        'mlp',
        new MLP(gpu, spec.dModel, {
          weight: linear,
          bias: spec.bias,
          residStd: 0.02 / Math.sqrt(2 * spec.layers),
          rng,
        }),
      );
    }
  }
  forward(x: Tensor, B: number, T: number): Tensor {
    let h = add(x, this.attn.forward(this.ln_1.forward(x), B, T));
    if (this.mlp && this.ln_2) h = add(h, this.mlp.forward(this.ln_2.forward(h)));
    return h;
  }
}

export interface TransformerInit {
  vocab: number;
  spec: TransformerSpec;
  /** The family of every Linear in the blocks (default dense). */
  linear?: WeightSpec;
  seed: number;
}

export class Transformer extends Module {
  readonly spec: TransformerSpec;
  readonly vocab: number;
  readonly linear: WeightSpec;
  readonly tok_emb: Embedding;
  readonly pos_emb: Embedding;
  readonly blocks: Block[] = [];
  readonly ln_f: Norm;
  readonly lm_head: Linear | null = null;
  private readonly cache: AttentionCache;

  constructor(
    readonly gpu: Tensor['gpu'],
    init: TransformerInit,
  ) {
    super();
    const { spec, vocab } = init;
    if (spec.dModel % spec.heads !== 0)
      throw new Error(`dModel ${spec.dModel} is not divisible by heads ${spec.heads}`);
    this.spec = spec;
    this.vocab = vocab;
    this.linear = init.linear ?? { family: 'dense' };
    this.cache = new AttentionCache(gpu);
    const rng = new Rng(init.seed);
    this.tok_emb = this.child('tok_emb', new Embedding(gpu, vocab, spec.dModel, rng, spec.embedRank));
    this.pos_emb = this.child('pos_emb', new Embedding(gpu, spec.context, spec.dModel, rng));
    const bl = this.child('blocks', new BlockList());
    for (let i = 0; i < spec.layers; i++)
      this.blocks.push(bl.add(new Block(gpu, spec, this.linear, rng, this.cache)));
    this.ln_f = this.child('ln_f', makeNorm(gpu, spec));
    if (!spec.tiedHead)
      this.lm_head = this.child('lm_head', new Linear(gpu, spec.dModel, vocab, { bias: false, rng }));
  }

  /** ids [B·T] (row-major B × T, T ≤ context) → logits [B·T, vocab]. */
  forward(ids: ArrayLike<number>, B: number, T: number): Tensor {
    if (T > this.spec.context)
      throw new Error(`sequence length ${T} exceeds the context ${this.spec.context}`);
    if (ids.length !== B * T) throw new Error(`${ids.length} ids do not fill ${B} × ${T}`);
    const pos = new Int32Array(B * T);
    for (let i = 0; i < pos.length; i++) pos[i] = i % T;
    let x = add(this.tok_emb.forward(ids), this.pos_emb.forward(pos));
    for (const b of this.blocks) x = b.forward(x, B, T);
    x = this.ln_f.forward(x);
    if (this.lm_head) return this.lm_head.forward(x);
    return matmul(x, this.tok_emb.table(), { transB: true });
  }

  override dispose(): void {
    super.dispose();
    this.cache.dispose();
  }
}

/** Holds the blocks under numeric names (blocks.0, blocks.1, …). */
class BlockList extends Module {
  private n = 0;
  add(b: Block): Block {
    return this.child(String(this.n++), b);
  }
}

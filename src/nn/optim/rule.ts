/**
 * An update rule owns one parameter's optimizer state and updates the parameter's storage in
 * place (no tensor allocated per step except the temporaries Muon / AuON need, freed at once).
 */
import { Tensor } from '../../tensor/tensor';

export interface UpdateRule {
  /** p ← update(p, gscale·g) at learning rate lr. */
  update(p: Tensor, g: Tensor, lr: number, gscale: number): void;
  /** The state tensors (for memory accounting and tests). */
  state(): Tensor[];
  dispose(): void;
}

/** A zero-filled state tensor that outlives any enclosing tidy(). */
export function stateLike(p: Tensor): Tensor {
  return Tensor.zeros(p.gpu, p.shape).keep();
}

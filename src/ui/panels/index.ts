/**
 * One result panel per experiment kind. A new kind (finetune, sparse-attention, …) adds one
 * component file here and one line in PANELS; the rest of the page does not change.
 */
import type { ComponentType } from 'react';
import { ApproximationPanel } from './ApproximationPanel';
import { KvProjectionPanel, SparseAttentionPanel } from './AttentionPanel';
import { BindingPanel } from './BindingPanel';
import { CompressionPanel } from './CompressionPanel';
import type { PanelProps } from './common';
import { FinetunePanel } from './FinetunePanel';
import { PretrainPanel } from './PretrainPanel';
import { SketchPanel } from './SketchPanel';
import { SpectrumPanel } from './SpectrumPanel';
import { SpeedupPanel } from './SpeedupPanel';

export const PANELS: Record<string, ComponentType<PanelProps>> = {
  approximation: ApproximationPanel,
  spectrum: SpectrumPanel,
  speedup: SpeedupPanel,
  pretrain: PretrainPanel,
  finetune: FinetunePanel,
  compression: CompressionPanel,
  sketch: SketchPanel,
  binding: BindingPanel,
  'sparse-attention': SparseAttentionPanel,
  'kv-projection': KvProjectionPanel,
};

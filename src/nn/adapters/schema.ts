/** The adapter methods by name: GPU-free, shared by the `finetune` kind's schema and src/nn/adapters. */
export const ADAPTER_NAMES = [
  'lora',
  'rslora',
  'pissa',
  'olora',
  'slora',
  'nlora',
  'inttune',
  'lora-xs',
  'lora-sb',
  'hira',
  'compacter',
  'full',
] as const;
export type AdapterName = (typeof ADAPTER_NAMES)[number];

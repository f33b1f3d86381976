export * from './generators';
export * from './npy';
export * from './safetensors';
export * from './sources';
export * from './types';

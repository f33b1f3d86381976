export * from './generators';
export * from './image';
export * from './npy';
export * from './safetensors';
export * from './sources';
export * from './types';

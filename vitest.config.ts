import { defineConfig } from 'vitest/config';

export default defineConfig({
  // the shipped base weights (public/models) come in as ?inline data: URLs (src/nn/shipped.ts)
  assetsInclude: ['**/*.safetensors'],
  test: {
    include: ['tests/unit/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    // Dawn is a native addon: run test files in child processes, two at a time (2-core machines).
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

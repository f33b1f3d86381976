/**
 * Structured-family benchmarks (block-diagonal, Monarch, sparse, low-rank, ...) register here with
 * registerBench() from src/bench/registry.ts; the bench page imports this module for its side
 * effects; every bench/families-*.ts is loaded too. See docs/benchmarks.md for an example.
 */
export {};

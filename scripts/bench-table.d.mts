// Types of scripts/bench-table.mjs (a plain Node script, imported by tests/unit/bench-table.test.ts).
export const README_RESULTS: string;
export const START: string;
export const END: string;
export function renderTables(report: unknown, file: string): string;
export const ATTENTION_RESULTS: string;
export const ATT_START: string;
export const ATT_END: string;
export function renderAttentionTables(report: unknown, file: string): string;
export function readmeTables(readme: string, start?: string, end?: string): string | null;
export function replaceTables(readme: string, tables: string, start?: string, end?: string): string;

/**
 * JSON Schemas of the experiment contract, generated from the zod schemas (zod 4's z.toJSONSchema):
 * public/schema/experiment.schema.json (what a config may contain: defaults optional) and
 * public/schema/result.schema.json (what a result contains). Committed; a unit test fails when
 * they are stale. Regenerate: node scripts/write-schemas.mjs
 */
import { z } from 'zod';
import {
  CONFIG_SCHEMA_ID,
  ExperimentConfig,
  ExperimentResultSchema,
  RESULT_SCHEMA_ID,
} from '../src/experiments/schema';

export const SCHEMA_FILES = {
  experiment: 'public/schema/experiment.schema.json',
  result: 'public/schema/result.schema.json',
} as const;

export function buildSchemas(): Record<keyof typeof SCHEMA_FILES, string> {
  const config = z.toJSONSchema(ExperimentConfig, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'throw',
  });
  const result = z.toJSONSchema(ExperimentResultSchema, {
    target: 'draft-07',
    io: 'output',
    unrepresentable: 'throw',
  });
  const wrap = (id: string, title: string, s: object) =>
    `${JSON.stringify({ $id: `https://smx.invalid/schema/${id}`, title, ...s }, null, 2)}\n`;
  return {
    experiment: wrap('experiment.schema.json', `Experiment config (${CONFIG_SCHEMA_ID})`, config),
    result: wrap('result.schema.json', `Experiment result (${RESULT_SCHEMA_ID})`, result),
  };
}

/**
 * The compiled Ajv validator for unit files, built once from UnitSchema.
 * Ajv runs with allErrors (every problem in one run) and verbose (errors carry
 * the failing schema and data, which explainAjvErrors needs for messages).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { UnitSchema } from './unit-schema.js';

const MATCH_ANY = '^(.*)$';

/** The subnet pattern of UnitSchema, for rules that check a subnet's numbers once its shape is right. */
export const SUBNET_SHAPE = new RegExp((UnitSchema.properties.subnet as unknown as { pattern: string }).pattern);

/**
 * UnitSchema as plain JSON (TypeBox symbols dropped), with one tightening:
 * a TypeBox `Record` whose keys have a pattern (env, secrets) becomes
 * `additionalProperties: false`, so a bad key is an error, not ignored.
 */
export function strictUnitSchema(): Record<string, unknown> {
  return tighten(JSON.parse(JSON.stringify(UnitSchema))) as Record<string, unknown>;
}

function tighten(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tighten);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = tighten(v);
  const pp = out.patternProperties as Record<string, unknown> | undefined;
  if (pp && !Object.keys(pp).includes(MATCH_ANY) && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

let compiled: ValidateFunction | undefined;

/** The validator; compiled on first use (about 20 ms). */
export function unitValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    compiled = ajv.compile(strictUnitSchema());
  }
  return compiled;
}

/** Validates plain data against the unit schema; returns Ajv's errors (empty when valid). */
export function validateUnitShape(data: unknown): ErrorObject[] {
  const validate = unitValidator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

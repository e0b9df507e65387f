/**
 * `unitJsonSchema`: the JSON Schema of unit files for editors
 * (yaml-language-server: `# yaml-language-server: $schema=…`), generated from
 * the same UnitSchema the validator uses. Dialect: JSON Schema draft-07,
 * which TypeBox emits and yaml-language-server reads best.
 *
 * Only the schema's shape is in it; cross-field rules (kind rules,
 * references, cycles) are berth's own and run in `berth validate`.
 */
import { strictUnitSchema } from './unit-validator.js';

/** Descriptions for top-level keys whose schema has none. */
const TOP_LEVEL: Record<string, string> = {
  description: 'free text shown in `berth ps` and the dashboard',
  templates: 'files rendered with vars, host facts and secrets, baked into the unit',
  secrets: 'secret values for templates, by name: each from a file (under the secrets folder) or an env variable',
  resources: 'resource limits: memory, cpus, pids',
  network: 'networks to join, published ports, hostname',
  volumes: 'mounts: a named volume, a host path or a tmpfs',
  restart: 'restart policy with exponential backoff and a start limit',
  health: 'health check: exactly one of exec, http, tcp',
  after: 'units to wait for, with a condition: started, healthy, completed (jobs)',
  schedule: 'jobs only: run on a cron schedule',
  stop: 'how the unit is stopped',
  reload: 'how the unit reloads its configuration (on_change: reload)',
  vm: 'vm settings (kind vm, or isolation vm)',
  labels: 'free-form string labels',
};

/** The unit file JSON Schema (draft-07) as a plain object. */
export function unitJsonSchema(): Record<string, unknown> {
  const { $id, title, ...rest } = strictUnitSchema();
  const props = rest.properties as Record<string, Record<string, unknown>>;
  for (const [key, text] of Object.entries(TOP_LEVEL)) {
    if (props[key] && props[key].description === undefined) props[key] = { description: text, ...props[key] };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id,
    title,
    description:
      'A berth unit: one service, job, vm, network or volume per file. See docs/units.md; `berth validate` adds the cross-field rules.',
    ...rest,
  };
}

/**
 * GET /v1/units/:name/files: a unit's rendered config files as its
 * instances see them, secrets shown as •••. After an agent restart the
 * secret values are not known until the next apply; files of units with
 * secrets are then withheld rather than shown unredacted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { redact } from '../../config/redact.js';
import { renderedDir } from '../../supervisor/instance-files.js';
import type { ApiContext } from '../api-context.js';
import { UnitNameParams } from '../schemas.js';

const FileSchema = Type.Object({
  dest: Type.String(),
  onChange: Type.String(),
  sha256: Type.String(),
  content: Type.Optional(Type.String({ description: 'with secrets as •••; absent when withheld' })),
  withheld: Type.Optional(Type.String({ description: 'why the content is not shown' })),
});

const MAX_BYTES = 256 * 1024;

export function registerUnitFileRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { name: string } }>(
    '/v1/units/:name/files',
    { schema: { summary: 'Rendered config files of a unit (secrets redacted)', tags: ['units'], params: UnitNameParams, response: { 200: Type.Array(FileSchema) } } },
    async (req) => {
      const sup = ctx.agent.get(req.params.name);
      const { root } = await ctx.info();
      const hasSecrets = Object.keys(sup.spec.secrets).length > 0;
      return sup.files.map((f) => {
        const base = { dest: f.dest, onChange: f.onChange, sha256: f.sha256 };
        if (hasSecrets && ctx.agent.secretValues.length === 0) return { ...base, withheld: 'the unit uses secrets and none are loaded since the agent started: apply the folder again' };
        try {
          const text = readFileSync(join(renderedDir(root, sup.name), f.dest), 'utf8');
          return { ...base, content: redact(text.length > MAX_BYTES ? `${text.slice(0, MAX_BYTES)}\n… (cut at 256 KiB)` : text, ctx.agent.secretValues) };
        } catch {
          return { ...base, withheld: 'the rendered file is missing on the agent host' };
        }
      });
    },
  );
}

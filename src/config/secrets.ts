/**
 * Secret values for one unit, from files under the secrets folder or from
 * the agent's environment. Values live only in memory: specs hold references
 * (`SecretRef`), and everything shown to a person goes through `redact`.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../errors.js';
import { MIN_REDACT_LENGTH } from './redact.js';
import { locateKeyInUnit } from './render-locate.js';
import type { UnitSpec } from './unit-spec.js';

/** Where secrets come from; `env` and `unitText` are injectable for tests. */
export interface SecretOptions {
  /** the secrets folder (default `$BERTH_ROOT/secrets`, see `defaultSecretsDir`) */
  secretsDir: string;
  /** environment to read `{env}` secrets from (default process.env) */
  env?: Record<string, string | undefined>;
  /** the unit file's text, to point errors at the right line (default: read spec.file) */
  unitText?: string;
}

/** Resolved values by secret name, errors for the ones that could not be read, warnings for weak ones. */
export interface ResolvedSecrets {
  values: Record<string, string>;
  errors: ConfigError[];
  warnings: string[];
}

/** `--secrets DIR`, else `$BERTH_ROOT/secrets`, else /var/lib/berth/secrets. */
export function defaultSecretsDir(root = process.env.BERTH_ROOT ?? '/var/lib/berth'): string {
  return join(root, 'secrets');
}

/** True when `child` is `parent` or lies beneath it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/**
 * Reads every secret a unit declares. A file secret must resolve (symlinks
 * included) inside the secrets folder; one trailing newline is dropped, as
 * editors add it. Never throws.
 */
export function resolveSecrets(spec: UnitSpec, options: SecretOptions): ResolvedSecrets {
  const values: Record<string, string> = {};
  const errors: ConfigError[] = [];
  const warnings: string[] = [];
  const env = options.env ?? process.env;
  const fail = (name: string, code: string, message: string, hint: string) => {
    const at = locateKeyInUnit(spec, ['secrets', name], options.unitText);
    errors.push(new ConfigError(code, message, { file: spec.file, ...at, path: `secrets.${name}` }, { hint }));
  };
  for (const [name, ref] of Object.entries(spec.secrets)) {
    if (ref.from === 'env') {
      const v = env[ref.variable];
      if (v === undefined) {
        fail(name, 'E_SECRET_ENV', `secret \`${name}\`: environment variable ${ref.variable} is not set`, `export ${ref.variable}=… in the agent's environment, or use {file: …} under the secrets folder`);
      } else values[name] = v;
      continue;
    }
    const dir = resolve(options.secretsDir);
    const path = isAbsolute(ref.path) ? resolve(ref.path) : resolve(dir, ref.path);
    if (!isInside(dir, path)) {
      fail(name, 'E_SECRET_OUTSIDE', `secret \`${name}\`: ${ref.path} is outside the secrets folder ${dir}`, 'name a file inside the secrets folder (set it with --secrets DIR)');
      continue;
    }
    try {
      const real = realpathSync(path);
      if (!isInside(realpathSync(dir), real)) {
        fail(name, 'E_SECRET_OUTSIDE', `secret \`${name}\`: ${ref.path} is a symlink that leads outside the secrets folder ${dir}`, 'copy the secret into the secrets folder instead of linking to it');
        continue;
      }
      values[name] = readFileSync(real, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const what = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`;
      fail(name, 'E_SECRET_FILE', `secret \`${name}\`: ${path} ${what}`, `create it (e.g. printf %s VALUE > ${path}; chmod 600 ${path}) or pass --secrets DIR`);
    }
  }
  for (const [name, v] of Object.entries(values)) {
    if (v.length < MIN_REDACT_LENGTH) {
      warnings.push(`secret \`${name}\` of unit ${spec.name} is shorter than ${MIN_REDACT_LENGTH} characters: it is not redacted from output`);
    }
  }
  return { values, errors, warnings };
}

/**
 * The sandboxed nunjucks loader: a unit's templates (and what they include,
 * import or extend) may read only files under the unit's folder. `../`,
 * absolute paths and symlinks that lead outside are refused, and the refusal
 * is recorded so the renderer can report it plainly instead of nunjucks'
 * generic "template not found".
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, resolve } from 'node:path';
import type { ILoader, LoaderSource } from 'nunjucks';
import { isInside } from './secrets.js';

/** Why a template name was refused or not found. */
export interface LoaderProblem {
  name: string;
  message: string;
  hint: string;
}

/** A synchronous loader confined to `root`; names are relative to `root`. */
export class SandboxedLoader implements ILoader {
  readonly root: string;
  /** The last refusal or missing file, read by the renderer after a failure. */
  problem: LoaderProblem | undefined;
  /** Sources read so far by absolute path, for error positions. */
  readonly sources = new Map<string, string>();
  /** Called with each template read (the renderer checks included ones for undefined names). */
  onSource: ((path: string, src: string) => void) | undefined;
  private readonly realRoot: string;

  constructor(root: string) {
    this.root = resolve(root);
    try {
      this.realRoot = realpathSync(this.root);
    } catch {
      this.realRoot = this.root;
    }
  }

  /** `./x` and `../x` are relative to the including template, kept relative to root. */
  isRelative(name: string): boolean {
    return name.startsWith('./') || name.startsWith('../');
  }

  resolve(from: string, to: string): string {
    const base = isAbsolute(from) ? relative(this.root, dirname(from)) : dirname(from);
    return normalize(join(base, to));
  }

  getSource(name: string): LoaderSource {
    const refuse = (message: string, hint: string): never => {
      this.problem = { name, message, hint };
      throw new Error(message);
    };
    if (isAbsolute(name)) {
      refuse(`template \`${name}\` is refused: absolute paths are not allowed`, 'name templates relative to the unit file, inside its folder');
    }
    const path = resolve(this.root, name);
    if (!isInside(this.root, path)) {
      refuse(`template \`${name}\` is refused: it is outside the unit folder ${this.root}`, 'templates can only read files under their unit\'s folder; copy the file there');
    }
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      return refuse(`template \`${name}\` not found (looked for ${path})`, 'check the file name; paths are relative to the unit file, or to the including template with ./');
    }
    if (!isInside(this.realRoot, real)) {
      refuse(`template \`${name}\` is refused: it is a symlink to ${real}, outside the unit folder ${this.root}`, 'copy the file into the unit folder instead of linking to it');
    }
    let src: string;
    try {
      src = readFileSync(real, 'utf8');
    } catch (err) {
      return refuse(`template \`${name}\` cannot be read: ${(err as Error).message}`, 'check the file\'s permissions');
    }
    this.sources.set(path, src);
    this.onSource?.(path, src);
    return { src, path, noCache: true };
  }
}

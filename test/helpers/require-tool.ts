/**
 * Integration tests use the real parts. When one is missing they fail loudly
 * with a hint instead of silently skipping.
 */
import { execFileSync } from 'node:child_process';

/** Throws with a hint unless `tool` is on PATH. Returns its absolute path. */
export function requireTool(tool: string, hint = 'run scripts/setup as root (it installs every system package berth needs)'): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`this test needs \`${tool}\`, which is not installed\nhint: ${hint}`);
  }
}

/** Throws unless running as root (host-touching tests need it). */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('this test needs root (namespaces, mounts, cgroups)\nhint: run the test command as root, as CI does');
}

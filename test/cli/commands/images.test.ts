/** The image verbs as a user runs them: base, images, tag, history, inspect, save, rmi, load, prune. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { register as registerHistory } from '../../../src/cli/commands/history.js';
import { register as registerImage } from '../../../src/cli/commands/image.js';
import { register as registerImages } from '../../../src/cli/commands/images.js';
import { register as registerLoad } from '../../../src/cli/commands/load.js';
import { register as registerRmi } from '../../../src/cli/commands/rmi.js';
import { register as registerSave } from '../../../src/cli/commands/save.js';
import { register as registerTag } from '../../../src/cli/commands/tag.js';
import { formatError } from '../../../src/errors.js';
import { requireRoot } from '../../helpers/require-tool.js';
import { runVerb } from './run-verb.js';

requireRoot();
const repo = new URL('../../..', import.meta.url).pathname;
let root = '';

/** The real CLI in a child process: exit code and stderr exactly as a user sees them. */
function berthProcess(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), '--root', root, ...args], { cwd: repo }, (err, stdout, stderr) => {
      resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const registerAll = (p: Parameters<typeof registerImages>[0]) => [registerHistory, registerImage, registerImages, registerLoad, registerRmi, registerSave, registerTag].forEach((r) => r(p));

/** A verb in this process (fast); a thrown error becomes exit 1 and one formatted line, as main.ts does. */
async function berth(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    return await runVerb(registerAll, root, ...args);
  } catch (err) {
    return { status: 1, stdout: '', stderr: `berth: ${formatError(err)}\n` };
  }
}

test.before(async () => { root = await mkdtemp(join(tmpdir(), 'bt-images-cli-')); });
test.after(async () => { await rm(root, { recursive: true, force: true }); });

test('a round through the image verbs', async () => {
  let r = await berth('image', 'base', 'busybox');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^busybox:latest: sha256:[a-f0-9]{64}$/m);
  r = await berth('tag', 'busybox', 'localhost:5000/team/bb:v1');
  assert.is(r.status, 0, r.stderr);
  r = await berth('images');
  assert.match(r.stdout, /^REPOSITORY\s+TAG\s+DIGEST\s+CREATED\s+SIZE$/m);
  assert.match(r.stdout, /^localhost:5000\/team\/bb\s+v1\s+[a-f0-9]{12}\s/m);
  assert.match(r.stdout, /^busybox\s+latest\s/m);
  const rows = JSON.parse((await berth('images', '--json')).stdout) as Array<{ digest: string }>;
  assert.is(rows.length, 2);
  assert.is((await berth('images', '-q')).stdout.trim(), rows[0]!.digest, 'one digest per image');
  assert.match((await berth('history', 'busybox')).stdout, /berth base image: busybox/);
  const info = JSON.parse((await berth('image', 'inspect', 'localhost:5000/team/bb:v1')).stdout) as Array<{ RepoTags: string[]; Config: { Cmd: string[] } }>;
  assert.equal(info[0]!.RepoTags.sort(), ['busybox:latest', 'localhost:5000/team/bb:v1']);
  assert.equal(info[0]!.Config.Cmd, ['sh']);
  const file = join(root, 'bb.tar');
  assert.is((await berth('save', 'localhost:5000/team/bb:v1', '-o', file)).status, 0);
  r = await berth('rmi', 'busybox', 'localhost:5000/team/bb:v1');
  assert.match(r.stdout, /Untagged: busybox:latest\nUntagged: localhost:5000\/team\/bb:v1\nDeleted: sha256:/);
  assert.is((await berth('images', '-q')).stdout, '');
  r = await berth('load', '-i', file);
  assert.match(r.stdout, /^Loaded image: localhost:5000\/team\/bb:v1 \(sha256:/);
  r = await berth('image', 'prune', '--grace', '0');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /removed 0 images/);
});

test('errors are one clear line and a hint, exit 1', async () => {
  const r = await berthProcess('rmi', 'nosuch:tag');
  assert.is(r.status, 1);
  assert.match(r.stderr, /image "nosuch:tag" is not in the local image store/);
  assert.match(r.stderr, /hint: .*berth image base NAME/);
  assert.not.match(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  const bad = await berth('tag', 'busybox', 'Bad:Name');
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /invalid image reference|not in the local image store/);
});

test.run();

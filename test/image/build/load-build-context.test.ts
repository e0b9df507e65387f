import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../../src/errors.js';
import { filesToHash } from '../../../src/image/build/assign-cache-keys.js';
import type { BuildPlan } from '../../../src/image/build/build-plan.js';
import { hashContextFiles, indexContext, loadBuildPlan } from '../../../src/image/build/load-build-context.js';
import { BUSYBOX } from './plan-helpers.js';

function withDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bt-ctx-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const resolveImage = async (ref: string) => (ref === 'busybox' ? BUSYBOX : undefined);
const keysOf = (plan: BuildPlan | undefined) => plan!.stages.flatMap((s) => s.steps.map((st) => st.key));

const DOCKERFILE = [
  'FROM busybox',
  'ENV A=1',
  'COPY app/main.sh /app/',
  'RUN chmod +x /app/main.sh',
  'COPY conf/ /etc/app/',
  'CMD ["/app/main.sh"]',
].join('\n');

test('indexContext applies .dockerignore with ! exceptions and never follows symlinks', async () => {
  const dir = withDir({ 'a.txt': 'a', 'x.log': 'l', 'keep.log': 'k', 'node_modules/m/i.js': 'm', 'sub/y.log': 'y', 'docs/keep.md': 'd', 'docs/drop.md': 'd' });
  try {
    symlinkSync('/etc/passwd', join(dir, 'pw'));
    const index = await indexContext(dir, ['*.log', '!keep.log', 'node_modules', 'docs', '!docs/keep.md']);
    assert.equal([...index.keys()].sort(), ['a.txt', 'docs/keep.md', 'keep.log', 'pw', 'sub', 'sub/y.log']);
    assert.equal(index.get('pw'), { path: 'pw', type: 'symlink', mode: index.get('pw')!.mode, size: 0, linkTarget: '/etc/passwd' });
    assert.equal(index.get('a.txt'), { path: 'a.txt', type: 'file', mode: 0o644 & ~process.umask(), size: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hashContextFiles: sha256 of contents, archive kinds for ADD', async () => {
  const dir = withDir({ 'plain.txt': 'hello', 'in/f': 'f' });
  try {
    await tar.c({ file: join(dir, 'a.tar'), cwd: dir }, ['in']);
    await tar.c({ file: join(dir, 'a.tgz'), cwd: dir, gzip: true }, ['in']);
    writeFileSync(join(dir, 'notar.gz'), gzipSync('just text'));
    writeFileSync(join(dir, 'a.txz'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2]));
    const index = await indexContext(dir);
    const digests = await hashContextFiles(dir, [...index.values()], 2);
    assert.equal(digests.get('plain.txt'), { digest: `sha256:${createHash('sha256').update('hello').digest('hex')}` });
    assert.is(digests.get('a.tar')!.archive, 'tar');
    assert.is(digests.get('a.tgz')!.archive, 'tar+gzip');
    assert.is(digests.get('notar.gz')!.archive, undefined);
    assert.is(digests.get('a.txz')!.archive, 'xz');
    assert.is(digests.has('in'), false, 'directories have no digest');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cache keys: unchanged rebuild is equal; one changed file changes that COPY and every later step only', async () => {
  const dir = withDir({ Dockerfile: DOCKERFILE, 'app/main.sh': 'echo hi', 'conf/a.conf': 'a=1', 'unused.txt': 'u', 'ignored.txt': 'i', '.dockerignore': 'ignored.txt\n' });
  try {
    const first = await loadBuildPlan(dir, { resolveImage });
    assert.equal(first.errors, []);
    const k1 = keysOf(first.plan);
    assert.is(new Set(k1).size, 5);
    assert.ok(k1.every((k) => /^sha256:[0-9a-f]{64}$/.test(k)));
    assert.equal(keysOf((await loadBuildPlan(dir, { resolveImage })).plan), k1, 'same input, same keys');

    writeFileSync(join(dir, 'unused.txt'), 'changed');
    writeFileSync(join(dir, 'ignored.txt'), 'changed');
    utimesSync(join(dir, 'app/main.sh'), new Date(0), new Date(0));
    assert.equal(keysOf((await loadBuildPlan(dir, { resolveImage })).plan), k1, 'unused, ignored and touched files change nothing');

    writeFileSync(join(dir, 'conf/a.conf'), 'a=2');
    const k2 = keysOf((await loadBuildPlan(dir, { resolveImage })).plan);
    assert.equal(k2.slice(0, 3), k1.slice(0, 3));
    assert.ok(k2[3] !== k1[3] && k2[4] !== k1[4], 'the late COPY and the CMD after it change');

    chmodSync(join(dir, 'app/main.sh'), 0o755);
    const k3 = keysOf((await loadBuildPlan(dir, { resolveImage })).plan);
    assert.is(k3[0], k1[0]);
    assert.ok(k3.slice(1).every((k, i) => k !== k2[i + 1]), 'a mode change counts as a change');

    const withArg = keysOf((await loadBuildPlan(dir, { resolveImage, buildArgs: {} })).plan);
    assert.equal(withArg, k3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('files read only by stages the target does not need are not hashed and change nothing', async () => {
  const dir = withDir({ Dockerfile: 'FROM busybox AS unused\nCOPY big.bin /\nFROM busybox\nCOPY app /app', 'big.bin': 'x', app: 'a' });
  try {
    const first = await loadBuildPlan(dir, { resolveImage });
    assert.equal(first.errors, []);
    assert.equal(first.plan!.order, [1]);
    assert.equal(filesToHash(first.plan!).map((f) => f.path), ['app']);
    writeFileSync(join(dir, 'big.bin'), 'changed');
    assert.equal(keysOf((await loadBuildPlan(dir, { resolveImage })).plan), keysOf(first.plan));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a different base image digest changes every key', async () => {
  const dir = withDir({ Dockerfile: DOCKERFILE, 'app/main.sh': 'echo hi', 'conf/a.conf': 'a=1' });
  try {
    const k1 = keysOf((await loadBuildPlan(dir, { resolveImage })).plan);
    const other = async () => ({ ...BUSYBOX, digest: 'sha256:' + 'd'.repeat(64) });
    const k2 = keysOf((await loadBuildPlan(dir, { resolveImage: other })).plan);
    assert.ok(k1.every((k, i) => k !== k2[i]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('COPY history names the content; ADD extracts local tars and refuses xz', async () => {
  const dir = withDir({ 'in/f': 'f', 'one.txt': '1' });
  try {
    await tar.c({ file: join(dir, 'a.tgz'), cwd: dir, gzip: true }, ['in']);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nCOPY one.txt /\nCOPY in /in\nADD a.tgz one.txt /opt/\n');
    const { plan, errors } = await loadBuildPlan(dir, { resolveImage });
    assert.equal(errors, []);
    const [one, dirCopy, add] = plan!.stages[0]!.steps;
    assert.match(one!.history.created_by, /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/ $/);
    assert.match(dirCopy!.history.created_by, /^\/bin\/sh -c #\(nop\) COPY dir:[0-9a-f]{64} in \/in $/);
    assert.match(add!.history.created_by, /^\/bin\/sh -c #\(nop\) ADD multi:[0-9a-f]{64} in \/opt\/ $/);
    assert.equal(add!.action.type === 'copy' && add!.action.extract, ['a.tgz']);
    writeFileSync(join(dir, 'b.txz'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1]));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nADD b.txz /opt/\n');
    const bad = await loadBuildPlan(dir, { resolveImage });
    assert.is(bad.errors[0]!.message, 'ADD would extract "b.txz", a xz-compressed archive berth cannot unpack');
    assert.is((bad.errors[0] as ConfigError).line, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad context input comes back as errors, never thrown', async () => {
  const empty = await loadBuildPlan('', { resolveImage });
  assert.instance(empty.errors[0], ConfigError);
  assert.is(empty.errors[0]!.message, 'the build context path is empty');
  const missing = await loadBuildPlan('/nonexistent-bt-dir', { resolveImage });
  assert.is(missing.errors[0]!.code, 'E_BUILD_CONTEXT');
  const dir = withDir({ 'a.txt': 'a' });
  try {
    const noFile = await loadBuildPlan(dir, { resolveImage });
    assert.is(noFile.errors[0]!.code, 'E_BUILD_NO_DOCKERFILE');
    symlinkSync('/etc', join(dir, 'etc'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nCOPY etc/passwd /x\n');
    const out = await loadBuildPlan(dir, { resolveImage });
    assert.is(out.errors[0]!.message, 'COPY: source "etc/passwd" is a symlink that points outside the build context');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM nothere\n');
    const noBase = await loadBuildPlan(dir, { resolveImage });
    assert.is(noBase.errors[0]!.message, 'base image "nothere" is not in the local store');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

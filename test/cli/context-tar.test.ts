/**
 * packBuildContext: what a remote `berth build` sends. The tar is read back
 * with the tar library and unpacked with the agent's own unpacker: the
 * .dockerignore rules (with `**` and `!` exceptions) are the build's, the
 * Dockerfile and .dockerignore always go along, modes, links and bytes
 * arrive as they were, and a Dockerfile outside the context travels under a
 * hidden, content-named file that `COPY .` leaves out.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { unpackBuildContext } from '../../src/api/build-context.js';
import { indexContext, readBuildFiles } from '../../src/image/build/load-build-context.js';
import { packBuildContext } from '../../src/cli/context-tar.js';

let base = '';
let ctx = '';
const bin = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));

test.before(() => {
  base = mkdtempSync(join(tmpdir(), 'bt-ctxtar-'));
  ctx = join(base, 'ctx');
  const w = (p: string, text: string | Buffer, mode = 0o644) => {
    mkdirSync(join(ctx, p, '..'), { recursive: true });
    writeFileSync(join(ctx, p), text);
    chmodSync(join(ctx, p), mode);
  };
  w('Dockerfile', 'FROM scratch\nCOPY . /\n');
  w('.dockerignore', '# comment\n**/*.log\nbuild\n!build/keep.txt\nDockerfile\n.dockerignore\n');
  w('run.sh', '#!/bin/sh\necho hi\n', 0o751);
  w('data/blob.bin', bin);
  w('data/deep/x.log', 'ignored');
  w('app.log', 'ignored');
  w('build/out.o', 'ignored');
  w('build/keep.txt', 'kept by an exception');
  symlinkSync('/etc/hostname', join(ctx, 'abs-link'));
  symlinkSync('run.sh', join(ctx, 'rel-link'));
  writeFileSync(join(base, 'Outside.Dockerfile'), 'FROM scratch\nCOPY run.sh /\n');
});
test.after(() => rmSync(base, { recursive: true, force: true }));

/** The archive's entries: path → type and mode. */
async function listing(stream: NodeJS.ReadableStream): Promise<Map<string, { type: string; mode: number; linkpath?: string }>> {
  const out = new Map<string, { type: string; mode: number; linkpath?: string }>();
  const parser = new Parser({ onReadEntry: (e: ReadEntry) => { out.set(e.path.replace(/\/$/, ''), { type: e.type, mode: (e.mode ?? 0) & 0o7777, ...(e.linkpath ? { linkpath: e.linkpath } : {}) }); e.resume(); } });
  await new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
    stream.pipe(parser as unknown as NodeJS.WritableStream);
  });
  return out;
}

test('sends what the build would see after .dockerignore, plus the Dockerfile and .dockerignore', async () => {
  const packed = await packBuildContext(ctx);
  const seen = await listing(packed.stream);
  const paths = [...seen.keys()].sort();
  assert.equal(paths, ['.dockerignore', 'Dockerfile', 'abs-link', 'build/keep.txt', 'data', 'data/blob.bin', 'data/deep', 'rel-link', 'run.sh']);
  // the same rules as a local build's index, one matcher
  const files = await readBuildFiles(ctx);
  const index = await indexContext(ctx, files.ignore);
  for (const p of index.keys()) assert.ok(seen.has(p), `${p} is in the local build's context`);
  assert.is(packed.dockerfile, 'Dockerfile');
  assert.is(seen.get('run.sh')!.mode, 0o751);
  assert.is(seen.get('abs-link')!.type, 'SymbolicLink');
  assert.is(seen.get('abs-link')!.linkpath, '/etc/hostname');
});

test('round trip through the agent unpacker: bytes, modes and links exactly', async () => {
  const packed = await packBuildContext(ctx);
  const out = join(base, 'out1');
  mkdirSync(out);
  await unpackBuildContext(packed.stream, out);
  assert.ok(readFileSync(join(out, 'data/blob.bin')).equals(bin));
  assert.is(statSync(join(out, 'run.sh')).mode & 0o7777, 0o751);
  assert.is(readlinkSync(join(out, 'abs-link')), '/etc/hostname');
  assert.is(readlinkSync(join(out, 'rel-link')), 'run.sh');
  assert.is(readFileSync(join(out, 'build/keep.txt'), 'utf8'), 'kept by an exception');
});

test('-f outside the context: sent under a content-named hidden file that the sent .dockerignore leaves out', async () => {
  const packed = await packBuildContext(ctx, join(base, 'Outside.Dockerfile'));
  const again = await packBuildContext(ctx, join(base, 'Outside.Dockerfile'));
  again.stream.resume();
  assert.match(packed.dockerfile, /^\.berth-dockerfile-[0-9a-f]{12}$/);
  assert.is(again.dockerfile, packed.dockerfile, 'the same name each time, so rebuilds stay cached');
  const out = join(base, 'out2');
  mkdirSync(out);
  await unpackBuildContext(packed.stream, out);
  assert.is(readFileSync(join(out, packed.dockerfile), 'utf8'), 'FROM scratch\nCOPY run.sh /\n');
  const files = await readBuildFiles(out, join(out, packed.dockerfile));
  const index = await indexContext(out, files.ignore);
  assert.not.ok(existsSync(join(out, 'Dockerfile')), 'the ignored in-context Dockerfile is not sent when -f names another');
  assert.not.ok(index.has(packed.dockerfile), 'COPY . does not pick it up');
  assert.ok(files.ignore.includes('**/*.log'), "the user's rules are still there");
});

test('a Dockerfile or .dockerignore that is a symlink goes as its content, never as a link for the agent to follow', async () => {
  const linked = join(base, 'linked');
  mkdirSync(linked);
  symlinkSync(join(base, 'Outside.Dockerfile'), join(linked, 'Dockerfile'));
  writeFileSync(join(base, 'ignore-rules'), 'x.tmp\n');
  symlinkSync(join(base, 'ignore-rules'), join(linked, '.dockerignore'));
  writeFileSync(join(linked, 'x.tmp'), 'left out');
  const packed = await packBuildContext(linked);
  assert.match(packed.dockerfile, /^\.berth-dockerfile-/);
  const out = join(base, 'out3');
  mkdirSync(out);
  await unpackBuildContext(packed.stream, out);
  assert.ok(lstatSync(join(out, packed.dockerfile)).isFile());
  assert.ok(lstatSync(join(out, '.dockerignore')).isFile());
  assert.is(readFileSync(join(out, packed.dockerfile), 'utf8'), 'FROM scratch\nCOPY run.sh /\n');
  assert.not.ok(existsSync(join(out, 'x.tmp')), "the linked file's rules apply");
});

test('a missing Dockerfile fails before anything is sent, with the loader error', async () => {
  const err = await packBuildContext(ctx, join(base, 'nope')).catch((e: { code: string }) => e);
  assert.is((err as { code: string }).code, 'E_BUILD_NO_DOCKERFILE');
  const notDir = await packBuildContext(join(base, 'missing')).catch((e: { code: string }) => e);
  assert.is((notDir as { code: string }).code, 'E_BUILD_CONTEXT');
});

test.run();

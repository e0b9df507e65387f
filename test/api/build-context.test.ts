/**
 * unpackBuildContext: the agent's side of an uploaded build context. Hand-made
 * archives (tar headers written here) check what is kept exactly (modes,
 * bytes, relative and absolute symlinks) and what is refused (paths that
 * leave the folder, device files, hard links out, links to climb through,
 * too many bytes, a broken stream).
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { Header, type types } from 'tar';

type EntryTypeName = types.EntryTypeName;
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkBuildInputs, makeContextDir, refuseEntry, removeContextDir, unpackBuildContext } from '../../src/api/build-context.js';

type Entry = { path: string; type?: EntryTypeName; mode?: number; data?: Buffer | string; linkpath?: string };

/** A tar archive of `entries`, written header by header (no sanitising on the way). */
function tarOf(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    const type = e.type ?? 'File';
    const h = new Header({ path: e.path, type, mode: e.mode ?? (type === 'Directory' ? 0o755 : 0o644), size: type === 'File' ? data.length : 0, mtime: new Date(0), ...(e.linkpath ? { linkpath: e.linkpath } : {}), ...(type === 'CharacterDevice' ? { devmaj: 1, devmin: 3 } : {}) });
    const block = Buffer.alloc(512);
    h.encode(block, 0);
    blocks.push(block);
    if (type === 'File' && data.length) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const fresh = () => mkdtempSync(join(tmpdir(), 'bt-unpack-'));
const unpackInto = async (buf: Buffer, opts: { maxBytes?: number } = {}) => {
  const dir = fresh();
  const err = await unpackBuildContext(Readable.from([buf]), dir, opts).then(() => undefined, (e: { code: string; message: string }) => e);
  return { dir, err };
};

test('files keep their bytes and modes, folders are made, links stay links (absolute ones too)', async () => {
  const bin = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
  const { dir, err } = await unpackInto(tarOf([
    { path: 'bin.dat', data: bin },
    { path: 'run.sh', mode: 0o750, data: '#!/bin/sh\necho hi\n' },
    { path: 'sub', type: 'Directory', mode: 0o755 },
    { path: 'sub/abs', type: 'SymbolicLink', linkpath: '/etc/passwd' },
    { path: 'sub/rel', type: 'SymbolicLink', linkpath: '../run.sh' },
    { path: 'hard', type: 'Link', linkpath: 'run.sh' },
  ]));
  try {
    assert.is(err, undefined);
    assert.ok(readFileSync(join(dir, 'bin.dat')).equals(bin));
    assert.is(lstatSync(join(dir, 'run.sh')).mode & 0o7777, 0o750);
    assert.is(readlinkSync(join(dir, 'sub/abs')), '/etc/passwd', 'an absolute link is kept as written, not rewritten');
    assert.is(readlinkSync(join(dir, 'sub/rel')), '../run.sh');
    assert.is(lstatSync(join(dir, 'hard')).ino, lstatSync(join(dir, 'run.sh')).ino);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refused: a path that leaves the folder, a device, a hard link out; nothing lands outside', async () => {
  const cases: [Entry[], RegExp][] = [
    [[{ path: '../escape', data: 'x' }], /escape leaves the context folder/],
    [[{ path: 'a/../../escape', data: 'x' }], /leaves the context folder/],
    [[{ path: '/abs-escape', data: 'x' }], /leaves the context folder/],
    [[{ path: 'null', type: 'CharacterDevice' }], /null is a CharacterDevice/],
    [[{ path: 'fifo', type: 'FIFO' }], /FIFO/],
    [[{ path: 'h', type: 'Link', linkpath: '../../etc/passwd' }], /hard link/],
  ];
  for (const [entries, why] of cases) {
    const { dir, err } = await unpackInto(tarOf([{ path: 'ok.txt', data: 'fine' }, ...entries]));
    try {
      assert.is(err?.code, 'E_BUILD_CONTEXT_UNSAFE', entries[0]!.path);
      assert.match(err!.message, why);
      assert.not.ok(existsSync(join(dir, '..', 'escape')));
      assert.not.ok(existsSync('/abs-escape'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('never extracts through a link: a file under a symlinked folder is refused', async () => {
  const outside = fresh();
  const { dir, err } = await unpackInto(tarOf([
    { path: 'out', type: 'SymbolicLink', linkpath: outside },
    { path: 'out/planted', data: 'x' },
  ]));
  try {
    assert.ok(err, 'an error');
    assert.equal(readdirSync(outside), [], 'nothing written through the link');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
  const rel = await unpackInto(tarOf([{ path: 'l', type: 'SymbolicLink', linkpath: '..' }, { path: 'l/planted', data: 'x' }]));
  try {
    assert.ok(rel.err, 'a relative link to climb through is refused too');
    assert.not.ok(existsSync(join(rel.dir, '..', 'planted')));
  } finally {
    rmSync(rel.dir, { recursive: true, force: true });
  }
});

test('over the size limit: E_BUILD_CONTEXT_TOO_BIG with the limit and a hint', async () => {
  const { dir, err } = await unpackInto(tarOf([{ path: 'big', data: Buffer.alloc(64 * 1024) }]), { maxBytes: 10_000 });
  rmSync(dir, { recursive: true, force: true });
  assert.is(err?.code, 'E_BUILD_CONTEXT_TOO_BIG');
  assert.match((err as { hint?: string }).hint ?? '', /\.dockerignore/);
});

test('a broken or cut-off stream is E_BUILD_CONTEXT_BAD, not a hang', async () => {
  const whole = tarOf([{ path: 'f', data: Buffer.alloc(5000, 1) }]);
  const cut = new Readable({ read() {} });
  cut.push(whole.subarray(0, 1500));
  setTimeout(() => cut.destroy(new Error('socket hang up')), 5);
  const dir = fresh();
  const err = await unpackBuildContext(cut, dir).then(() => undefined, (e: { code: string }) => e);
  rmSync(dir, { recursive: true, force: true });
  assert.is(err?.code, 'E_BUILD_CONTEXT_BAD');
});

test('checkBuildInputs: the Dockerfile and .dockerignore must be plain files inside the folder', async () => {
  const outside = fresh();
  const cases: [Entry[], string | undefined][] = [
    [[{ path: 'Dockerfile', data: 'FROM scratch\n' }, { path: '.dockerignore', data: 'x\n' }], undefined],
    [[{ path: 'Dockerfile', type: 'SymbolicLink', linkpath: '/etc/passwd' }], 'E_BUILD_CONTEXT_UNSAFE'],
    [[{ path: 'Dockerfile', data: 'FROM scratch\n' }, { path: '.dockerignore', type: 'SymbolicLink', linkpath: '/etc/shadow' }], 'E_BUILD_CONTEXT_UNSAFE'],
    [[{ path: 'sub', type: 'SymbolicLink', linkpath: outside }], 'E_BUILD_CONTEXT_UNSAFE'],
    [[{ path: 'other', data: 'x' }], 'E_BUILD_NO_DOCKERFILE'],
  ];
  writeFileSync(join(outside, 'Dockerfile'), 'FROM scratch\n');
  try {
    for (const [entries, code] of cases) {
      const { dir, err } = await unpackInto(tarOf(entries));
      try {
        assert.is(err, undefined);
        const df = entries[0]!.path === 'sub' ? 'sub/Dockerfile' : 'Dockerfile';
        const got = await checkBuildInputs(dir, df).then(() => undefined, (e: { code: string }) => e.code);
        assert.is(got, code, JSON.stringify(entries));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test('refuseEntry (pure): what may be unpacked', () => {
  assert.is(refuseEntry('a/b.txt', 'File'), undefined);
  assert.is(refuseEntry('l', 'SymbolicLink', '/anywhere'), undefined);
  assert.ok(refuseEntry('l', 'Link', '/etc/passwd'));
  assert.ok(refuseEntry('x', 'BlockDevice'));
});

test('makeContextDir makes a fresh private folder under <root>/build-contexts and sweeps leftovers; removeContextDir takes it away', async () => {
  const root = fresh();
  try {
    const a = await makeContextDir(root);
    const b = await makeContextDir(root);
    assert.is.not(a, b);
    assert.ok(a.startsWith(join(root, 'build-contexts/')));
    assert.is(lstatSync(a).mode & 0o777, 0o700);
    await removeContextDir(a);
    assert.not.ok(existsSync(a));
    mkdirSync(join(root, 'build-contexts', 'ctx-left-by-a-killed-agent'));
    const c = await makeContextDir(root);
    assert.equal(readdirSync(join(root, 'build-contexts')).sort(), [basename(b), basename(c)].sort(), "a killed agent's leftover goes; uploads in flight stay");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();

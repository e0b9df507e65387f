/** loadUnitDir on a real temporary folder: what it reads, skips and reports. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadUnitDir } from '../../src/config/load-unit-dir.js';
import { ConfigError } from '../../src/errors.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bt-units-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function withFolder(files: Record<string, string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = folder(files);
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('reads *.yaml and *.yml at the top only, sorted; skips templates, dotfiles and other files', () =>
  withFolder(
    {
      'web.yaml': 'name: web\nkind: service\nimage: {from: busybox}\n',
      'data.yml': 'name: data\nkind: volume\n',
      'web/nested.yaml': 'this: is a template folder, never read\n',
      '.hidden.yaml': 'broken: [\n',
      'README.md': '# not a unit\n',
      'web/httpd.conf.njk': 'Listen {{ port }}\n',
    },
    async (dir) => {
      const { units, errors, files } = await loadUnitDir(dir, { secretsDir: '/etc/berth/secrets' });
      assert.equal(errors, []);
      assert.equal(files, [join(dir, 'data.yml'), join(dir, 'web.yaml')]);
      assert.equal(units.map((u) => u.name), ['data', 'web']);
      assert.is(units[1]!.dir, dir);
    },
  ));

test('reports all errors of all files in one run, sorted by file and line; no units then', () =>
  withFolder(
    {
      'b.yaml': 'name: b\nkind: service\nimage: {from: x}\nrestat: 1\nafter: {zz: started}\n',
      'a.yaml': 'name: a\nkind: sevice\n',
      'c.yaml': 'name: c\nkind: volume\n',
    },
    async (dir) => {
      const { units, errors, files } = await loadUnitDir(dir);
      assert.is(files.length, 3);
      assert.equal(units, []);
      assert.equal(
        errors.map((e) => `${e.file.slice(dir.length + 1)}:${e.line}:${e.column} ${e.code}`),
        ['a.yaml:2:7 E_ENUM', 'b.yaml:4:1 E_UNKNOWN_KEY', 'b.yaml:5:9 E_UNKNOWN_UNIT'],
      );
      assert.match(errors[0]!.message, /did you mean `service`\?/);
    },
  ));

test('a missing folder is a ConfigError, not a throw', async () => {
  const { units, errors, files } = await loadUnitDir('/nonexistent/bt-units');
  assert.equal([units, files], [[], []]);
  assert.is(errors.length, 1);
  assert.instance(errors[0], ConfigError);
  assert.is(errors[0]!.code, 'E_READ');
  assert.match(errors[0]!.message, /ENOENT/);
});

test('a folder without unit files says so', () =>
  withFolder({ 'notes.txt': 'x' }, async (dir) => {
    const { errors } = await loadUnitDir(dir);
    assert.equal(errors.map((e) => e.code), ['E_NO_UNITS']);
  }));

test('a folder named like a unit file is not read as one', () =>
  withFolder({ 'ok.yaml': 'name: ok\nkind: volume\n', 'bad.yaml/keep': '' }, async (dir) => {
    const { errors, units } = await loadUnitDir(dir);
    assert.equal(errors, []);
    assert.equal(units.map((u) => u.name), ['ok']);
  }));

test('an unreadable unit file is reported and the others still checked', () =>
  withFolder({ 'ok.yaml': 'name: ok\nkind: service\nimage: {from: x}\nrestat: 1\n' }, async (dir) => {
    symlinkSync(join(dir, 'missing-target'), join(dir, 'gone.yaml'));
    const { errors } = await loadUnitDir(dir);
    assert.equal(errors.map((e) => `${e.file.slice(dir.length + 1)} ${e.code}`), ['gone.yaml E_READ', 'ok.yaml E_UNKNOWN_KEY']);
  }));

test.run();

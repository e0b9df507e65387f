/**
 * The verb table that lets `berth VERB` import one file: it names the file
 * of every verb and alias the command files register (and nothing else),
 * the verb is found after global options, and help still lists every verb.
 */
import { readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Command } from 'commander';
import { VERB_FILES, findVerb, verbFileFor } from '../../src/cli/verb-table.js';
import { runBerth } from '../helpers/agent-process.js';

const VALUE_FLAGS = new Set(['--root', '-H', '--host', '--token', '--tls-ca']);

test('the verb is the first word that is not a global option or its value', () => {
  assert.is(findVerb(['ps'], VALUE_FLAGS), 'ps');
  assert.is(findVerb(['--root', '/x', '-H', 'unix:///s', 'ps', '-a'], VALUE_FLAGS), 'ps');
  assert.is(findVerb(['--root=/x', '--token', 'ps', 'logs'], VALUE_FLAGS), 'logs', 'a value that looks like a verb is the value');
  assert.is(findVerb(['-Hunix:///s', 'why', 'web'], VALUE_FLAGS), 'why');
  assert.is(findVerb(['--help', 'ps'], VALUE_FLAGS), undefined, 'help first: the whole tree');
  assert.is(findVerb(['--root', '/x'], VALUE_FLAGS), undefined);
  assert.equal(verbFileFor(['status'], VALUE_FLAGS), { verb: 'status', file: 'ps' });
  assert.equal(verbFileFor(['stop', 'web'], VALUE_FLAGS), { verb: 'stop', file: 'unit-actions' });
  for (const whole of [['help', 'ps'], ['completion', 'bash'], ['no-such-verb'], []]) assert.is(verbFileFor(whole, VALUE_FLAGS), undefined, whole.join(' '));
});

test('the table names exactly the verbs and aliases each command file registers', async () => {
  const dir = new URL('../../src/cli/commands/', import.meta.url);
  const registered: Record<string, string> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const program = new Command('berth').enablePositionalOptions();
    const mod = (await import(new URL(file, dir).href)) as { register?: (p: Command) => void };
    mod.register?.(program);
    for (const c of program.commands) for (const n of [c.name(), ...c.aliases()]) registered[n] = file.replace(/\.ts$/, '');
  }
  assert.equal({ ...VERB_FILES }, registered, 'add the new verb to VERB_FILES in src/cli/verb-table.ts');
});

test('help still lists every verb; one verb\'s help and an unknown verb work', async () => {
  const [all, one, unknown, aliased] = await Promise.all([runBerth(['--help']), runBerth(['help', 'logs']), runBerth(['stauts']), runBerth(['--root', '/nonexistent', 'status', '--help'])]);
  assert.is(all.code, 0, all.stderr);
  for (const verb of new Set(Object.values(VERB_FILES).filter((f) => f !== 'unit-actions'))) assert.match(all.stdout, new RegExp(`\\n  ${verb}\\b`), `verb ${verb} in help`);
  assert.match(all.stdout, /\n {2}ps\|status/);
  assert.is(one.code, 0, one.stderr);
  assert.match(one.stdout, /Usage: berth logs/);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'stauts'[\s\S]*status/, 'the suggestion needs every verb');
  assert.is(aliased.code, 0, aliased.stderr);
  assert.match(aliased.stdout, /Usage: berth ps\|status/);
});

test.run();

/**
 * kill -9 of the agent in the middle of applies, 20 times: each round starts
 * the agent (it re-attaches), changes the folder (a unit's env, a unit added
 * or removed), starts an apply, kills the agent 0–2 s after the apply began
 * changing things (apply.started). An `events -f`
 * client records what it saw before each kill. At the end the last folder is
 * applied and checked: every unit runs exactly once (one conmon, one
 * instance folder), removed units are gone, the ledger's seq is 1..N without
 * a gap, and every event a client saw is in it unchanged.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BerthEvent } from '../../src/supervisor/events.js';
import type { UnitView } from '../../src/supervisor/agent.js';
import { processesMentioning, sleep, uniqueName, until, withAgent } from '../helpers/agent-process.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';

const ROUNDS = Number(process.env.BERTH_KILL9_ROUNDS ?? 20);

const unitFile = (name: string, rev: number) => [
  `name: ${name}`, 'kind: service', 'image: { from: busybox }', 'network: { attach: [] }', 'stop: { timeout: 1s }',
  `run: { command: ["sleep", "100000"], env: { REV: "${rev}" } }`, 'restart: { policy: always, delay: 100ms }', '',
].join('\n');

/** conmon processes of a unit's instances (their command lines name `<root>/containers/<unit>-<hex>`). */
function conmonsOf(root: string, unit: string): number[] {
  const re = new RegExp(`${root}/containers/${unit}-[0-9a-f]{6}/`);
  return processesMentioning(`${root}/containers/${unit}-`).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'conmon' && re.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      return false;
    }
  });
}

function instancesOf(root: string, unit: string): string[] {
  const dir = join(root, 'containers');
  return existsSync(dir) ? readdirSync(dir).filter((id) => new RegExp(`^${unit}-[0-9a-f]{6}$`).test(id)) : [];
}

test(`kill -9 of the agent mid-apply, ${ROUNDS} times: nothing twice, no ledger gap, nothing seen is lost`, async () => {
  requireRoot();
  requireTool('conmon');
  const id = uniqueName();
  const names = [1, 2, 3, 4, 5].map((i) => `${id}-u${i}`);
  const rev = new Map(names.map((n) => [n, 0]));
  const present = new Set(names.slice(0, 3));
  const seen = new Map<number, BerthEvent>();
  const log: string[] = [];
  await withAgent({ applyOnStart: false, startTimeoutMs: 120_000 }, async (agent) => {
    const writeFolder = () => {
      for (const n of names) agent.writeUnit(`${n}.yaml`, present.has(n) ? unitFile(n, rev.get(n)!) : null);
    };
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        if (round > 1) await agent.start();
        // change the folder: 3–5 units, one of them with a new env (a restart)
        const optional = names.slice(3);
        for (const n of optional) if (Math.random() < 0.4) present.has(n) ? present.delete(n) : present.add(n);
        const changed = [...present][Math.floor(Math.random() * present.size)]!;
        rev.set(changed, rev.get(changed)! + 1);
        writeFolder();
        const since = Math.max(0, ...seen.keys());
        let began: () => void = () => {};
        const applyBegan = new Promise<void>((r) => (began = r));
        const stream = agent.client.stream<BerthEvent>(`/v1/events?follow=true&since=${since}`, (e) => {
          seen.set(e.seq, e);
          if (e.type === 'apply.started' || e.type === 'apply.failed') began();
        });
        stream.done.catch(() => undefined);
        const apply = agent.client.post('/v1/apply', { dir: agent.unitsDir }).catch((e: unknown) => e);
        // the apply checks the whole folder first (seconds on a loaded host) and changes nothing until apply.started:
        // the random delay counts from there, so every kill lands while units are being stopped and started
        await Promise.race([applyBegan, new Promise((r) => setTimeout(r, 30_000).unref())]);
        const delay = Math.floor(Math.random() * 2000);
        await sleep(delay);
        await agent.kill('SIGKILL');
        stream.stop();
        await apply;
        log.push(`round ${round}: ${present.size} units, rev ${changed}, killed after ${delay} ms, seen up to #${Math.max(0, ...seen.keys())}`);
      }

      // converge on the last folder and check
      await agent.start();
      await agent.client.post('/v1/apply', { dir: agent.unitsDir });
      const wanted = [...present];
      await until('every unit running', async () => {
        const units = await agent.client.get<UnitView[]>('/v1/units');
        return wanted.every((n) => units.find((u) => u.name === n)?.state === 'running') ? true : undefined;
      }, 120_000, 250);
      await sleep(1000); // a duplicate start, if any, would show up now
      const units = await agent.client.get<UnitView[]>('/v1/units');
      assert.equal(units.map((u) => u.name).sort(), wanted.sort(), 'the agent knows exactly the units of the last folder');
      for (const n of names) {
        const expected = present.has(n) ? 1 : 0;
        assert.is(conmonsOf(agent.root, n).length, expected, `${n}: conmon processes`);
        assert.is(instancesOf(agent.root, n).length, expected, `${n}: instances in <root>/containers: ${instancesOf(agent.root, n).join(' ')}`);
        if (expected) assert.is(instancesOf(agent.root, n)[0], units.find((u) => u.name === n)?.instance, `${n}: the instance on disk is the one the agent supervises`);
      }
      // the running instances have the last env
      for (const n of wanted) {
        const r = await agent.client.post<{ stdout: string }>(`/v1/units/${n}/exec`, { argv: ['sh', '-c', 'echo $REV'] });
        assert.is(r.stdout.trim(), String(rev.get(n)), `${n} runs its last revision`);
      }

      const ledger = await agent.events();
      ledger.forEach((e, i) => assert.is(e.seq, i + 1, `ledger seq without gaps at index ${i}`));
      for (const [seq, e] of seen) assert.equal(ledger[seq - 1], e, `event #${seq} a client saw is in the ledger unchanged`);
      assert.ok(seen.size > ROUNDS, `the clients saw ${seen.size} events`);
      assert.is(ledger.filter((e) => e.type === 'agent.started').length, ROUNDS + 1);
    } catch (err) {
      process.stderr.write(`${log.join('\n')}\n`);
      throw err;
    }
  });
});

test.run();

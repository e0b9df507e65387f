/**
 * A test agent: the real Agent, UnitSupervisors, ledger and state file, on
 * the FakeDriver and a FakeClock, with unit folders given as YAML texts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateUnitTexts } from '../../src/config/validate-unit-texts.js';
import { FakeClock } from '../../src/runtime/fake/clock.js';
import { FakeDriver } from '../../src/runtime/fake/driver.js';
import type { FakeHost } from '../../src/runtime/fake/state.js';
import { Agent } from '../../src/supervisor/agent.js';
import { Ledger } from '../../src/supervisor/ledger.js';
import { createUnitHealth } from '../../src/supervisor/unit-health.js';

export interface TestAgent {
  agent: Agent;
  driver: FakeDriver;
  clock: FakeClock;
  ledger: Ledger;
  root: string;
  /** unit folders by name: each a list of YAML texts */
  folders: Map<string, string[]>;
  types(unit?: string): string[];
  cleanup(): void;
}

/** Makes an agent over a fresh (or given) root; pass `host` to simulate an agent restart. */
export function makeAgent(opts: { root?: string; host?: FakeHost; clock?: FakeClock; folders?: Map<string, string[]> } = {}): TestAgent {
  const root = opts.root ?? mkdtempSync(join(tmpdir(), 'berth-agent-'));
  const clock = opts.clock ?? new FakeClock();
  const driver = new FakeDriver({ clock, ...(opts.host ? { host: opts.host } : {}) });
  const ledger = Ledger.open({ dir: join(root, 'ledger'), now: () => clock.now(), fsync: false });
  const folders = opts.folders ?? new Map<string, string[]>();
  let seed = 1;
  const agent: Agent = new Agent({
    root,
    ledger,
    clock,
    random: () => ((seed = (seed * 16807) % 2147483647) / 2147483647),
    driverFor: (spec) => (spec.isolation === 'vm' ? { unavailable: 'isolation vm is not supported by this agent yet' } : driver),
    loadDesired: async (dir) => {
      const texts = folders.get(dir) ?? [];
      const { units, errors } = validateUnitTexts(texts.map((text, i) => ({ file: `${dir}/u${i}.yaml`, text })));
      return { units: units.map((spec) => ({ spec, files: [] })), errors, secrets: [] };
    },
    preflight: async () => undefined,
    ensureObject: async () => undefined,
    removeObject: async () => undefined,
    installFiles: async () => undefined,
    prepare: async (spec, id) => ({
      id, unit: spec.name, argv: spec.run.command ?? ['sh'], env: {}, hostname: spec.name,
      resources: {}, mounts: [], network: { attach: [], ports: [] },
    }),
    logTail: async (h, n) => driver.logs(h.id).slice(-n),
    healthFor: (sup) => createUnitHealth(sup, driver, clock, (e) => ledger.append(e)),
  });
  return {
    agent, driver, clock, ledger, root, folders,
    types: (unit) => ledger.since(0, unit ? { unit } : {}).map((e) => e.type),
    cleanup: () => {
      ledger.close();
      if (!opts.root) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A minimal service unit text. */
export function unitText(name: string, extra = ''): string {
  return `name: ${name}\nkind: service\nimage: { from: busybox }\nrun: { command: [sleep, "1000"] }\n${extra}`;
}

/**
 * The agent after a restart of `first` (same root, host and clock; its ledger
 * closed). With `holdRecovery`, the driver's recover waits until `release()`,
 * so a test can look at an agent in the middle of recovering.
 */
export function restartAgent(first: TestAgent, opts: { holdRecovery?: boolean } = {}): { second: TestAgent; release: () => void } {
  first.ledger.close();
  const second = makeAgent({ root: first.root, host: first.driver.host, clock: first.clock, folders: first.folders });
  let release = () => {};
  if (opts.holdRecovery) {
    const gate = new Promise<void>((r) => (release = r));
    const recoverInstance = second.driver.recover.bind(second.driver);
    second.driver.recover = async (h) => {
      await gate;
      return recoverInstance(h);
    };
  }
  return { second, release };
}

/** An agent that applied units `a` and `b` (running), for restart tests. */
export async function agentWithTwoUnits(): Promise<TestAgent> {
  const t = makeAgent();
  t.folders.set('/u', [unitText('a'), unitText('b')]);
  await t.agent.apply('/u');
  await t.clock.advance(5);
  return t;
}

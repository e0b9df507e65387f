/**
 * One cgroup for one process instance, on either layout:
 * - v2 (unified, `/sys/fs/cgroup/cgroup.controllers` exists): one folder,
 *   `memory.max`, `pids.max`, `cpu.max`, `cgroup.freeze`, `cgroup.kill`;
 * - v1 (separate hierarchies, as on this project's machines): one folder per
 *   controller (memory, pids, cpu, cpuacct, freezer) under
 *   `/sys/fs/cgroup/<controller>/<parent>/<id>`.
 * The process joins by writing its pid into every `cgroup.procs` listed by
 * `procsFiles()` before it execs (the shim does it), so nothing escapes.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Which layout this host has. */
export interface CgroupLayout {
  version: 1 | 2;
  base: string;
  /** v1: the controllers mounted (of those berth uses) */
  controllers: string[];
}

const V1_CONTROLLERS = ['memory', 'pids', 'cpu', 'cpuacct', 'freezer'];

/** Detects v2 unified or v1 (a hybrid host's small cgroup2 at /unified is ignored: it has no limits). */
export function detectCgroups(base = '/sys/fs/cgroup'): CgroupLayout {
  if (existsSync(join(base, 'cgroup.controllers'))) {
    const controllers = readFileSync(join(base, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
    return { version: 2, base, controllers };
  }
  return { version: 1, base, controllers: V1_CONTROLLERS.filter((c) => existsSync(join(base, c, 'cgroup.procs'))) };
}

/** Resource limits as InstanceSpec carries them. */
export interface CgroupLimits {
  memoryBytes?: number;
  cpus?: number;
  pids?: number;
}

const CPU_PERIOD_US = 100_000;

/** A cgroup at `<base>[/<controller>]/<rel>`. */
export class Cgroup {
  /** the instance's folders: one on v2, one per controller on v1 (deduplicated) */
  readonly dirs: string[];

  constructor(readonly layout: CgroupLayout, readonly rel: string) {
    // cpu and cpuacct are often one hierarchy mounted twice (symlinks): join it once
    const root = (c: string) => { try { return realpathSync(join(layout.base, c)); } catch { return join(layout.base, c); } };
    const raw = layout.version === 2 ? [join(layout.base, rel)] : layout.controllers.map((c) => join(root(c), rel));
    this.dirs = [...new Set(raw)];
  }

  private dir(controller: string): string | undefined {
    if (this.layout.version === 2) return this.dirs[0];
    if (!this.layout.controllers.includes(controller)) return undefined;
    return join(this.layout.base, controller, this.rel);
  }

  /** Creates the folders (and on v2 enables controllers down the path). */
  create(): void {
    if (this.layout.version === 2) this.enableV2Controllers();
    for (const d of this.dirs) mkdirSync(d, { recursive: true });
  }

  private enableV2Controllers(): void {
    const want = ['memory', 'pids', 'cpu'].filter((c) => this.layout.controllers.includes(c));
    let dir = this.layout.base;
    for (const part of this.rel.split('/').slice(0, -1)) {
      const next = join(dir, part);
      mkdirSync(next, { recursive: true });
      for (const c of want) {
        try { writeFileSync(join(dir, 'cgroup.subtree_control'), `+${c}`); } catch { /* not delegated here: limits will say so */ }
      }
      dir = next;
    }
    for (const c of want) {
      try { writeFileSync(join(dir, 'cgroup.subtree_control'), `+${c}`); } catch { /* as above */ }
    }
  }

  /** Writes the limits; returns the ones that could not be applied (a warning, not an error). */
  applyLimits(l: CgroupLimits): string[] {
    const missed: string[] = [];
    const put = (controller: string, file: string, value: string, what: string) => {
      const d = this.dir(controller);
      try {
        if (!d) throw new Error('controller not mounted');
        writeFileSync(join(d, file), value);
      } catch { missed.push(what); }
    };
    const v2 = this.layout.version === 2;
    if (l.memoryBytes !== undefined) put('memory', v2 ? 'memory.max' : 'memory.limit_in_bytes', String(l.memoryBytes), 'memory');
    if (l.pids !== undefined) put('pids', 'pids.max', String(l.pids), 'pids');
    if (l.cpus !== undefined) {
      const quota = Math.max(1000, Math.round(l.cpus * CPU_PERIOD_US));
      if (v2) put('cpu', 'cpu.max', `${quota} ${CPU_PERIOD_US}`, 'cpus');
      else { put('cpu', 'cpu.cfs_period_us', String(CPU_PERIOD_US), 'cpus'); put('cpu', 'cpu.cfs_quota_us', String(quota), 'cpus'); }
    }
    return [...new Set(missed)];
  }

  /** Every `cgroup.procs` the process must join. */
  procsFiles(): string[] {
    return this.dirs.map((d) => join(d, 'cgroup.procs'));
  }

  /** The pids in the cgroup now (empty when it is gone). */
  pids(): number[] {
    const d = this.dir('pids') ?? this.dir('freezer') ?? this.dirs[0];
    try {
      return readFileSync(join(d!, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch { return []; }
  }

  /** True when the folders exist. */
  exists(): boolean {
    return this.dirs.some((d) => existsSync(d));
  }

  /** Freezes (true) or thaws (false) every process in it. */
  setFrozen(frozen: boolean): void {
    if (this.layout.version === 2) { writeFileSync(join(this.dirs[0]!, 'cgroup.freeze'), frozen ? '1' : '0'); return; }
    const d = this.dir('freezer');
    if (!d) throw new Error('the freezer controller is not mounted');
    writeFileSync(join(d, 'freezer.state'), frozen ? 'FROZEN' : 'THAWED');
  }

  /** True when frozen (or freezing). */
  isFrozen(): boolean {
    try {
      if (this.layout.version === 2) return /frozen 1/.test(readFileSync(join(this.dirs[0]!, 'cgroup.events'), 'utf8'));
      const d = this.dir('freezer');
      return d ? readFileSync(join(d, 'freezer.state'), 'utf8').trim() !== 'THAWED' : false;
    } catch { return false; }
  }

  /** SIGKILLs every process, without races against fork: cgroup.kill on v2, freeze-kill-thaw on v1. */
  async killAll(): Promise<void> {
    if (this.layout.version === 2 && existsSync(join(this.dirs[0]!, 'cgroup.kill'))) {
      writeFileSync(join(this.dirs[0]!, 'cgroup.kill'), '1');
    } else {
      for (let round = 0; round < 50 && this.pids().length; round++) {
        const canFreeze = this.layout.version === 2 || this.dir('freezer') !== undefined;
        if (canFreeze) try { this.setFrozen(true); } catch { /* kill without freezing */ }
        for (const pid of this.pids()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        if (canFreeze) try { this.setFrozen(false); } catch { /* gone */ }
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    for (let i = 0; i < 200 && this.pids().length; i++) await new Promise((r) => setTimeout(r, 5));
  }

  /** How many times the kernel's OOM killer killed a process in it. */
  oomKills(): number {
    const d = this.dir('memory');
    if (!d) return 0;
    try {
      const text = readFileSync(join(d, this.layout.version === 2 ? 'memory.events' : 'memory.oom_control'), 'utf8');
      return Number(/oom_kill (\d+)/.exec(text)?.[1] ?? 0);
    } catch { return 0; }
  }

  /** Current usage where the files exist. */
  usage(): { cpuNs?: number; memoryBytes?: number; memoryLimitBytes?: number; pids?: number } {
    const read = (controller: string, file: string): number | undefined => {
      const d = this.dir(controller);
      try { return d ? Number(readFileSync(join(d, file), 'utf8').trim().split(/\s+/)[0]) : undefined; } catch { return undefined; }
    };
    const v2 = this.layout.version === 2;
    const cpuNs = v2 ? cpuFromStat(this.dirs[0]!) : read('cpuacct', 'cpuacct.usage');
    const limit = read('memory', v2 ? 'memory.max' : 'memory.limit_in_bytes');
    const out: ReturnType<Cgroup['usage']> = {};
    if (cpuNs !== undefined && !Number.isNaN(cpuNs)) out.cpuNs = cpuNs;
    const mem = read('memory', v2 ? 'memory.current' : 'memory.usage_in_bytes');
    if (mem !== undefined && !Number.isNaN(mem)) out.memoryBytes = mem;
    if (limit !== undefined && !Number.isNaN(limit) && limit < 2 ** 60) out.memoryLimitBytes = limit;
    const pids = read('pids', 'pids.current');
    if (pids !== undefined && !Number.isNaN(pids)) out.pids = pids;
    return out;
  }

  /** Removes the folders (they must be empty of processes). Idempotent. */
  async remove(): Promise<void> {
    for (const d of this.dirs) {
      for (let i = 0; i < 100 && existsSync(d); i++) {
        try { rmdirSync(d); } catch { await new Promise((r) => setTimeout(r, 10)); }
      }
    }
  }
}

function cpuFromStat(dir: string): number | undefined {
  try {
    const m = /usage_usec (\d+)/.exec(readFileSync(join(dir, 'cpu.stat'), 'utf8'));
    return m ? Number(m[1]) * 1000 : undefined;
  } catch { return undefined; }
}

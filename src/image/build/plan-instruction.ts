/**
 * One instruction inside a stage → its step action, the new image config and
 * its history entry: the pure fold at the heart of planning. Variables are
 * expanded here with Docker's rules (ENV wins over ARG; RUN, CMD, ENTRYPOINT,
 * HEALTHCHECK and SHELL are never expanded by the builder).
 */
import { posix } from 'node:path';
import { constants } from 'node:os';
import type { ConfigError } from '../../errors.js';
import type { ContainerConfig } from '../oci-types.js';
import type { HistoryEntry, ImageRunConfig, StepAction } from './build-plan.js';
import { dockerfileError } from './dockerfile-error.js';
import type { CommandForm, DockerInstruction, SourceWord } from './dockerfile-instruction.js';
import { ExpandError, expandWord, expandWords } from './expand-word.js';
import { DEFAULT_PATH, DEFAULT_SHELL, cloneConfig, envMap, goQuoteList, nopCreatedBy, parseGoDuration, parsePortSpec, setEnv, formatGoDuration } from './image-config.js';
import { planCopy } from './plan-copy.js';
import type { ContextIndex } from './resolve-context-sources.js';

/** A resolved image the build may read: its manifest digest and its `config` as stored. */
export interface ResolvedImage {
  digest: string;
  config?: ContainerConfig;
}

/** What the planner knows inside one stage; `planInstruction` updates it. */
export interface StageScope {
  file: string;
  escape: string;
  stage: number;
  config: ImageRunConfig;
  /** ARGs declared in this stage so far, with their values (unset ones absent). */
  args: Map<string, string>;
  cmdSet: boolean;
  author?: string;
  /** Every stage name → index (a name at or after `stage` is not yet usable). */
  stageNames: ReadonlyMap<string, number>;
  stageCount: number;
  images: Readonly<Record<string, ResolvedImage>>;
  context: ContextIndex;
  buildArgs: Readonly<Record<string, string>>;
  globals: ReadonlyMap<string, string | undefined>;
  /** Build args some ARG declared (to warn about the rest). */
  consumed: Set<string>;
  /** Proxy variables passed to RUN without an ARG, as Docker does. */
  proxies: ReadonlyMap<string, string>;
}

/** A planned step before cache keys: what it does and what it leaves behind. */
export interface PlannedStep {
  action: StepAction;
  history: HistoryEntry;
  /** Stages this step reads (COPY --from). */
  reads?: number;
}

type Result = PlannedStep | { error: ConfigError };

/** Plans one instruction (never FROM); updates `scope` on success. */
export function planInstruction(ins: DockerInstruction, scope: StageScope): Result {
  const fail = (message: string, hint?: string, at = ins.pos) => ({ error: dockerfileError(scope.file, at, 'E_DOCKERFILE', message, hint, ins.kind) });
  const vars = new Map([...scope.args, ...envMap(scope.config.Env)]);
  const expand = (w: SourceWord): string => {
    try {
      return expandWord(w.text, vars, scope.escape);
    } catch (err) {
      if (err instanceof ExpandError) throw new PlanFailure(err.message, w);
      throw err;
    }
  };
  const c = cloneConfig(scope.config);
  const nop = (comment: string, oneSpace = false): HistoryEntry => ({ created_by: nopCreatedBy(c, comment, oneSpace), empty_layer: true });
  const meta = (comment: string): PlannedStep => ({ action: { type: 'config' }, history: nop(comment) });
  try {
    switch (ins.kind) {
      case 'FROM':
        return fail('FROM inside a stage');
      case 'ARG': {
        const parts: string[] = [];
        for (const a of ins.args) {
          scope.consumed.add(a.key);
          const given = scope.buildArgs[a.key];
          const value = given ?? (a.value !== undefined ? expand({ text: a.value, pos: a.pos }) : scope.globals.get(a.key));
          if (value !== undefined) scope.args.set(a.key, value);
          parts.push(a.value === undefined ? a.key : `${a.key}=${a.value}`);
        }
        return { action: { type: 'config' }, history: nop(`ARG ${parts.join(' ')}`) };
      }
      case 'ENV':
      case 'LABEL': {
        const parts: string[] = [];
        for (const p of ins.pairs) {
          const key = expand({ text: p.key, pos: p.pos });
          const value = expand({ text: p.value ?? '', pos: p.pos });
          if (key === '') return fail(`${ins.kind} name is empty`, undefined, p.pos);
          if (ins.kind === 'ENV') c.Env = setEnv(c.Env, key, value);
          else c.Labels = { ...c.Labels, [key]: value };
          // Values see the variables from before this instruction, as in Docker.
          parts.push(`${key}=${value}`);
        }
        scope.config = c;
        return meta(`${ins.kind} ${parts.join(' ')}`);
      }
      case 'RUN': {
        const argv = commandArgv(ins.command, c);
        const argEnv = [...scope.args].filter(([k]) => !envMap(c.Env).has(k)).map(([k, v]) => `${k}=${v}`).sort();
        const env = [...(c.Env ?? []), ...argEnv];
        for (const [k, v] of scope.proxies) if (!env.some((e) => e.startsWith(`${k}=`))) env.push(`${k}=${v}`);
        if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
        const prefix = argEnv.length > 0 ? `|${argEnv.length} ${argEnv.join(' ')} ` : '';
        return {
          action: { type: 'run', argv, env, user: c.User ?? '', workdir: c.WorkingDir ?? '/' },
          history: { created_by: `${prefix}${argv.join(' ')}` },
        };
      }
      case 'CMD':
      case 'ENTRYPOINT': {
        const argv = commandArgv(ins.command, c);
        if (ins.kind === 'CMD') {
          c.Cmd = argv;
          scope.cmdSet = true;
        } else {
          c.Entrypoint = argv;
          if (!scope.cmdSet) delete c.Cmd;
        }
        scope.config = c;
        return meta(`${ins.kind} ${goQuoteList(argv)}`);
      }
      case 'SHELL':
        c.Shell = ins.argv;
        scope.config = c;
        return meta(`SHELL [${ins.argv.join(' ')}]`);
      case 'WORKDIR': {
        const raw = expand(ins.value);
        const path = posix.resolve(c.WorkingDir ?? '/', raw);
        c.WorkingDir = path;
        scope.config = c;
        return { action: { type: 'mkdir', path, user: c.User ?? '' }, history: { created_by: nopCreatedBy(c, `WORKDIR ${path}`, true) } };
      }
      case 'USER': {
        const user = expand(ins.value);
        if (user === '') return fail('USER is empty after expansion', 'give a user name or uid, optionally :group');
        c.User = user;
        scope.config = c;
        return meta(`USER ${user}`);
      }
      case 'STOPSIGNAL': {
        const sig = expand(ins.value);
        const name = sig.toUpperCase().startsWith('SIG') ? sig.toUpperCase() : `SIG${sig.toUpperCase()}`;
        const ok = /^\d+$/.test(sig) ? Number(sig) >= 1 && Number(sig) <= 64 : name in constants.signals || /^SIGRTM(IN|AX)([+-]\d+)?$/.test(name);
        if (!ok) return fail(`invalid signal "${sig}"`, 'use a signal name (SIGTERM, SIGQUIT …) or number');
        c.StopSignal = sig;
        scope.config = c;
        return meta(`STOPSIGNAL ${sig}`);
      }
      case 'EXPOSE': {
        const ports: string[] = [];
        const specs: string[] = [];
        for (const w of ins.values) {
          for (const spec of expand(w).split(/\s+/).filter(Boolean)) {
            const list = parsePortSpec(spec);
            if (!list) return fail(`invalid port "${spec}"`, 'write PORT, PORT/tcp, PORT/udp or FROM-TO/PROTO', w.pos);
            ports.push(...list);
            specs.push(spec);
          }
        }
        c.ExposedPorts = { ...c.ExposedPorts, ...Object.fromEntries(ports.map((p) => [p, {}])) };
        scope.config = c;
        return meta(`EXPOSE ${specs.join(' ')}`);
      }
      case 'VOLUME': {
        const vols = ins.values.flatMap((w) => expandWords(w.text, vars, scope.escape));
        const bad = vols.find((v) => !v.startsWith('/'));
        if (bad !== undefined || vols.length === 0) return fail(`VOLUME needs absolute paths${bad ? `, not "${bad}"` : ''}`);
        c.Volumes = { ...c.Volumes, ...Object.fromEntries(vols.map((v) => [v, {}])) };
        scope.config = c;
        return meta(`VOLUME [${vols.join(' ')}]`);
      }
      case 'HEALTHCHECK':
        return planHealthcheck(ins, c, scope, fail, meta);
      case 'MAINTAINER': {
        scope.author = ins.value.text;
        c.Labels = { ...c.Labels, 'org.opencontainers.image.authors': ins.value.text };
        scope.config = c;
        return { ...meta(`MAINTAINER ${ins.value.text}`), history: { ...nop(`MAINTAINER ${ins.value.text}`), author: ins.value.text } };
      }
      case 'ONBUILD':
        c.OnBuild = [...(c.OnBuild ?? []), ins.trigger];
        scope.config = c;
        return meta(`ONBUILD ${ins.trigger}`);
      case 'COPY':
      case 'ADD':
        return planCopy(ins, c, scope, expand, fail);
    }
  } catch (err) {
    if (err instanceof PlanFailure) return fail(`${ins.kind}: ${err.message}`, undefined, err.word.pos);
    throw err;
  }
}

class PlanFailure extends Error {
  constructor(message: string, readonly word: SourceWord) {
    super(message);
  }
}

function commandArgv(command: CommandForm, c: ImageRunConfig): string[] {
  return command.form === 'exec' ? command.argv : [...(c.Shell ?? DEFAULT_SHELL), command.text];
}

/** Makes the ConfigError result for the current instruction. */
export type Fail = (message: string, hint?: string, at?: { line: number; column: number }) => { error: ConfigError };

function planHealthcheck(
  ins: Extract<DockerInstruction, { kind: 'HEALTHCHECK' }>,
  c: ImageRunConfig,
  scope: StageScope,
  fail: Fail,
  meta: (comment: string) => PlannedStep,
): Result {
  if (ins.command === 'NONE') {
    c.Healthcheck = { Test: ['NONE'] };
  } else {
    const test = ins.command.form === 'exec' ? ['CMD', ...ins.command.argv] : ['CMD-SHELL', ins.command.text];
    const hc: NonNullable<ImageRunConfig['Healthcheck']> = { Test: test };
    const durations = [['interval', 'Interval'], ['timeout', 'Timeout'], ['startPeriod', 'StartPeriod'], ['startInterval', 'StartInterval']] as const;
    for (const [flag, field] of durations) {
      const w = ins.flags[flag];
      if (!w) continue;
      const ns = parseGoDuration(w.text);
      if (ns === undefined || (ns !== 0 && ns < 1e6)) return fail(`invalid duration "${w.text}"`, 'write a duration like 30s, 1m30s or 500ms (at least 1ms)', w.pos);
      hc[field] = ns;
    }
    if (ins.flags.retries) {
      const n = Number(ins.flags.retries.text);
      if (!Number.isInteger(n) || n < 0) return fail(`invalid --retries "${ins.flags.retries.text}"`, 'give a whole number ≥ 0', ins.flags.retries.pos);
      hc.Retries = n;
    }
    c.Healthcheck = hc;
  }
  scope.config = c;
  const h = c.Healthcheck;
  const d = (ns: number | undefined) => JSON.stringify(formatGoDuration(ns ?? 0));
  const retries = `'\\x${(h.Retries ?? 0).toString(16).padStart(2, '0')}'`;
  return meta(`HEALTHCHECK &{${goQuoteList(h.Test)} ${d(h.Interval)} ${d(h.Timeout)} ${d(h.StartPeriod)} ${d(h.StartInterval)} ${retries}}`);
}

/**
 * Typed Dockerfile instructions with positions, as `parseDockerfile` makes
 * them from dockerfile-ast's tree. Words are still raw (variables not yet
 * expanded, quotes kept): expansion depends on build args and stage scope,
 * which the planner knows.
 */
import type { DockerfilePos } from './build-plan.js';

/** A raw word of an instruction and where it starts. */
export interface SourceWord {
  text: string;
  pos: DockerfilePos;
}

/** RUN/CMD/ENTRYPOINT/HEALTHCHECK command: JSON exec form or shell form. */
export type CommandForm = { form: 'exec'; argv: string[] } | { form: 'shell'; text: string };

/** `KEY=value` of ENV, LABEL or ARG; `value` is raw, undefined for `ARG NAME`. */
export interface KeyValue {
  key: string;
  value: string | undefined;
  pos: DockerfilePos;
}

/** HEALTHCHECK options as written (`--interval=5s` …). */
export interface HealthcheckFlags {
  interval?: SourceWord;
  timeout?: SourceWord;
  startPeriod?: SourceWord;
  startInterval?: SourceWord;
  retries?: SourceWord;
}

interface Common {
  pos: DockerfilePos;
  /** The instruction as written, line continuations joined. */
  text: string;
}

/** One parsed instruction. */
export type DockerInstruction = Common &
  (
    | { kind: 'FROM'; image: SourceWord; alias?: string; platform?: SourceWord }
    | { kind: 'ARG'; args: KeyValue[] }
    | { kind: 'RUN'; command: CommandForm }
    | {
        kind: 'COPY' | 'ADD';
        sources: SourceWord[];
        dest: SourceWord;
        from?: SourceWord;
        chown?: SourceWord;
        chmod?: SourceWord;
      }
    | { kind: 'ENV' | 'LABEL'; pairs: KeyValue[] }
    | { kind: 'WORKDIR' | 'USER' | 'STOPSIGNAL' | 'MAINTAINER'; value: SourceWord }
    | { kind: 'EXPOSE' | 'VOLUME'; values: SourceWord[] }
    | { kind: 'CMD' | 'ENTRYPOINT'; command: CommandForm }
    | { kind: 'SHELL'; argv: string[] }
    | { kind: 'HEALTHCHECK'; command: CommandForm | 'NONE'; flags: HealthcheckFlags }
    | { kind: 'ONBUILD'; trigger: string }
  );

/** A parsed Dockerfile: ARGs before the first FROM, then the rest in order. */
export interface ParsedDockerfile {
  file: string;
  escape: string;
  /** Instructions before the first FROM (only ARG is allowed there). */
  globalArgs: Extract<DockerInstruction, { kind: 'ARG' }>[];
  instructions: DockerInstruction[];
}

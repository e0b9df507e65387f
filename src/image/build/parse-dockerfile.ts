/**
 * Dockerfile text → typed instructions with positions, or ConfigErrors at
 * file:line:col. The syntax is dockerfile-ast's (a maintained parser); this
 * file only checks what berth supports and turns the tree into plain data.
 */
import { DockerfileParser, type Flag, type Instruction, type Property } from 'dockerfile-ast';
import type { ConfigError } from '../../errors.js';
import type { DockerfilePos } from './build-plan.js';
import { closest, dockerfileError } from './dockerfile-error.js';
import type { CommandForm, DockerInstruction, KeyValue, ParsedDockerfile, SourceWord } from './dockerfile-instruction.js';

/** What `parseDockerfile` returns: the parsed file, or the errors found. */
export interface ParseDockerfileResult {
  dockerfile?: ParsedDockerfile;
  errors: ConfigError[];
}

const KNOWN = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];

/** Flags each instruction takes: `true` = supported, a string = refused with that hint. */
const FLAGS: Record<string, Record<string, true | string>> = {
  FROM: { platform: true },
  RUN: {
    mount: 'RUN --mount is a BuildKit feature berth does not support: COPY the files in first',
    network: 'berth runs build steps without a network: remove --network',
    security: 'remove --security: build steps run with the default privileges',
  },
  COPY: {
    from: true, chown: true, chmod: true,
    link: 'remove --link: berth always copies into a new layer',
    parents: 'remove --parents: copy each directory with its own COPY',
    exclude: 'remove --exclude: list what to leave out in .dockerignore',
  },
  ADD: {
    chown: true, chmod: true,
    checksum: 'ADD --checksum is for URLs, which berth cannot fetch without a network',
    'keep-git-dir': 'ADD from git needs a network: clone into the context and COPY it',
    link: 'remove --link: berth always copies into a new layer',
  },
  HEALTHCHECK: { interval: true, timeout: true, 'start-period': true, 'start-interval': true, retries: true },
};

type Pos0 = { line: number; character: number };
const pos1 = (p: Pos0): DockerfilePos => ({ line: p.line + 1, column: p.character + 1 });

/** Parses a Dockerfile; every problem becomes a ConfigError, never a throw. */
export function parseDockerfile(text: string, file = 'Dockerfile'): ParseDockerfileResult {
  const ast = DockerfileParser.parse(text);
  const escape = ast.getEscapeCharacter();
  const errors: ConfigError[] = [];
  const out: ParsedDockerfile = { file, escape, globalArgs: [], instructions: [] };
  let seenFrom = false;
  const names = new Map<string, number>();
  for (const ins of ast.getInstructions()) {
    const res = convert(ins, file, escape);
    if ('error' in res) {
      errors.push(res.error);
      continue;
    }
    if (res.kind === 'FROM') {
      seenFrom = true;
      if (res.alias !== undefined && names.has(res.alias)) {
        errors.push(dockerfileError(file, res.pos, 'E_DOCKERFILE', `duplicate stage name "${res.alias}" (first at line ${names.get(res.alias)})`, 'give every stage its own name', 'FROM'));
      }
      if (res.alias !== undefined && !names.has(res.alias)) names.set(res.alias, res.pos.line);
    }
    if (seenFrom) out.instructions.push(res);
    else if (res.kind === 'ARG') out.globalArgs.push(res);
    else errors.push(dockerfileError(file, res.pos, 'E_DOCKERFILE_NO_FROM', `${res.kind} comes before the first FROM`, 'start the Dockerfile with FROM IMAGE (only ARG may come before it)', res.kind));
  }
  if (!seenFrom && errors.length === 0) {
    errors.push(dockerfileError(file, { line: 1, column: 1 }, 'E_DOCKERFILE_NO_FROM', 'the Dockerfile has no FROM instruction', 'add `FROM IMAGE` (e.g. `FROM busybox` or `FROM scratch`) before the other instructions'));
  }
  return errors.length > 0 ? { errors } : { dockerfile: out, errors };
}

type Converted = DockerInstruction | { error: ConfigError };

function convert(ins: Instruction, file: string, escape: string): Converted {
  const kind = ins.getKeyword();
  const pos = pos1(ins.getRange().start);
  const fail = (message: string, hint?: string, at: DockerfilePos = pos) => ({ error: dockerfileError(file, at, 'E_DOCKERFILE', message, hint, kind) });
  if (!KNOWN.includes(kind)) {
    const guess = closest(kind, KNOWN);
    return fail(`unknown instruction ${ins.getInstruction()}`, guess ? `did you mean ${guess}?` : `supported: ${KNOWN.join(', ')}`);
  }
  const flags: Record<string, SourceWord> = {};
  const flagList: Flag[] = 'getFlags' in ins && typeof ins.getFlags === 'function' ? (ins.getFlags() as Flag[]) : [];
  for (const flag of flagList) {
    const rule = FLAGS[kind]?.[flag.getName()];
    const at = pos1(flag.getRange().start);
    if (rule === undefined) return fail(`${kind} has no option --${flag.getName()}`, undefined, at);
    if (typeof rule === 'string') return fail(`${kind} --${flag.getName()} is not supported`, rule, at);
    const value = flag.getValue();
    if (value === null || value === '') return fail(`--${flag.getName()} needs a value (--${flag.getName()}=VALUE)`, undefined, at);
    flags[flag.getName()] = { text: value, pos: pos1(flag.getValueRange()!.start) };
  }
  const content = (ins.getArgumentsContent() ?? '').trim();
  const args = ins.getArguments();
  const words = (): SourceWord[] => args.map((a) => ({ text: a.getValue(), pos: pos1(a.getRange().start) }));
  const text = `${ins.getInstruction()} ${joinLines(ins.getTextContent(), escape).slice(ins.getInstruction().length).trim()}`.trim();
  const base = { pos, text };
  if (content === '' && kind !== 'HEALTHCHECK') return fail(`${kind} needs arguments`);
  if (/^<<-?["']?[A-Za-z_]/.test(content) && ['RUN', 'COPY', 'ADD'].includes(kind)) {
    return fail(`here-documents (${content.split(/\s/)[0]}) are not supported`, 'put the script in a file in the context, COPY it and RUN it');
  }
  switch (kind) {
    case 'FROM': {
      const w = words();
      if (w.length === 2 || w.length > 3 || (w.length === 3 && w[1]!.text.toUpperCase() !== 'AS')) {
        return fail('FROM takes an image and an optional stage name: FROM IMAGE [AS NAME]');
      }
      const alias = w[2]?.text;
      if (alias !== undefined && !/^[a-z][a-z0-9._-]*$/i.test(alias)) {
        return fail(`invalid stage name "${alias}"`, 'a stage name starts with a letter and has only letters, digits, ".", "_" and "-"', w[2]!.pos);
      }
      return {
        ...base, kind, image: w[0]!, ...(alias === undefined ? {} : { alias: alias.toLowerCase() }), ...(flags.platform ? { platform: flags.platform } : {}),
      };
    }
    case 'RUN':
    case 'CMD':
    case 'ENTRYPOINT': {
      const command = parseCommand(content);
      if (typeof command === 'string') return fail(command, EXEC_HINT);
      if (kind === 'RUN' && command.form === 'exec' && command.argv.length === 0) return fail('RUN [] has no command');
      return { ...base, kind, command };
    }
    case 'SHELL': {
      const command = parseCommand(content);
      if (typeof command === 'string' || command.form !== 'exec' || command.argv.length === 0) {
        return fail('SHELL needs a JSON array, e.g. SHELL ["/bin/sh", "-c"]');
      }
      return { ...base, kind, argv: command.argv };
    }
    case 'COPY':
    case 'ADD': {
      const command = parseCommand(content);
      if (typeof command === 'string') return fail(command, EXEC_HINT);
      const w: SourceWord[] = command.form === 'exec' ? command.argv.map((t) => ({ text: JSON.stringify(t), pos: pos1(args[0]!.getRange().start) })) : words();
      if (w.length < 2) return fail(`${kind} needs a source and a destination: ${kind} SRC... DEST`);
      return {
        ...base, kind, sources: w.slice(0, -1), dest: w[w.length - 1]!,
        ...(flags.from ? { from: flags.from } : {}), ...(flags.chown ? { chown: flags.chown } : {}), ...(flags.chmod ? { chmod: flags.chmod } : {}),
      };
    }
    case 'ENV':
    case 'LABEL':
    case 'ARG': {
      const pairs = properties(ins as unknown as { getProperties(): Property[] });
      if (kind !== 'ARG') {
        const bad = pairs.find((p) => p.value === undefined);
        if (bad) return fail(`${kind} ${bad.key} has no value`, `write ${kind} ${bad.key}=VALUE`, bad.pos);
      }
      return kind === 'ARG' ? { ...base, kind, args: pairs } : { ...base, kind, pairs };
    }
    case 'WORKDIR':
    case 'USER':
    case 'STOPSIGNAL':
    case 'MAINTAINER':
      if (kind !== 'WORKDIR' && kind !== 'MAINTAINER' && args.length > 1) return fail(`${kind} takes one value`);
      return { ...base, kind, value: { text: content, pos: pos1(args[0]!.getRange().start) } };
    case 'EXPOSE':
      return { ...base, kind, values: words() };
    case 'VOLUME': {
      const command = parseCommand(content);
      if (typeof command === 'string') return fail(command, EXEC_HINT);
      const values = command.form === 'exec' ? command.argv.map((t) => ({ text: JSON.stringify(t), pos })) : words();
      return { ...base, kind, values };
    }
    case 'HEALTHCHECK':
      return convertHealthcheck(content, flags, base, fail);
    case 'ONBUILD': {
      const trigger = content.split(/\s+/)[0]!.toUpperCase();
      if (['ONBUILD', 'FROM', 'MAINTAINER'].includes(trigger)) return fail(`ONBUILD ${trigger} is not allowed`);
      return { ...base, kind, trigger: content };
    }
  }
  return fail(`unknown instruction ${kind}`);
}

const EXEC_HINT = 'the exec form is a JSON array of double-quoted strings, e.g. ["sh", "-c", "echo hi"]; to use the shell form, do not start with [';

/** Exec form (a JSON array of strings) or shell form; a string is an error message. */
function parseCommand(content: string): CommandForm | string {
  if (!content.startsWith('[')) return { form: 'shell', text: content };
  try {
    const parsed: unknown = JSON.parse(content);
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return { form: 'exec', argv: parsed as string[] };
    return 'the JSON array must contain only strings';
  } catch {
    return 'invalid JSON array';
  }
}

function convertHealthcheck(
  content: string,
  flags: Record<string, SourceWord>,
  base: { pos: DockerfilePos; text: string },
  fail: (m: string, h?: string) => { error: ConfigError },
): Converted {
  const [sub] = content.split(/\s+/);
  if (sub?.toUpperCase() === 'NONE') {
    if (content.trim().length > 4 || Object.keys(flags).length > 0) return fail('HEALTHCHECK NONE takes no options or arguments');
    return { ...base, kind: 'HEALTHCHECK', command: 'NONE', flags: {} };
  }
  if (sub?.toUpperCase() !== 'CMD') return fail('HEALTHCHECK needs CMD or NONE', 'e.g. HEALTHCHECK --interval=30s CMD wget -q -O- http://127.0.0.1/ || exit 1');
  const rest = content.slice(3).trim();
  if (rest === '') return fail('HEALTHCHECK CMD needs a command');
  const command = parseCommand(rest);
  if (typeof command === 'string') return fail(command, EXEC_HINT);
  const f = {
    ...(flags.interval ? { interval: flags.interval } : {}),
    ...(flags.timeout ? { timeout: flags.timeout } : {}),
    ...(flags['start-period'] ? { startPeriod: flags['start-period'] } : {}),
    ...(flags['start-interval'] ? { startInterval: flags['start-interval'] } : {}),
    ...(flags.retries ? { retries: flags.retries } : {}),
  };
  return { ...base, kind: 'HEALTHCHECK', command, flags: f };
}

function properties(ins: { getProperties(): Property[] }): KeyValue[] {
  return ins.getProperties().map((p) => {
    const value = p.getUnescapedValue();
    return { key: p.getName(), value: value === null ? undefined : value, pos: pos1(p.getNameRange().start) };
  });
}

/** Joins continuation lines (escape + newline) for display, dropping comment lines inside. */
function joinLines(text: string, escape: string): string {
  const esc = escape.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  return text
    .replace(new RegExp(`${esc}[ \\t]*\\r?\\n(?:[ \\t]*(?:#[^\\n]*)?\\r?\\n)*`, 'g'), ' ')
    .replace(/[ \t]+/g, ' ');
}

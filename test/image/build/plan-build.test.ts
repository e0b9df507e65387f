import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assignCacheKeys } from '../../../src/image/build/assign-cache-keys.js';
import type { ContainerConfig } from '../../../src/image/oci-types.js';
import { BUSYBOX, fakeContext, planOk, tryPlan } from './plan-helpers.js';

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const createdBy = (text: string, opts = {}) => planOk(text, opts).stages.at(-1)!.steps.map((s) => s.history.created_by);

// History lines as `docker history --no-trunc` shows them for images made by Docker's classic builder.
test('history entries read like Docker', () => {
  assert.equal(
    createdBy(
      [
        'FROM busybox',
        'LABEL maintainer="NGINX Docker Maintainers <docker-maint@nginx.com>"',
        'ENV NGINX_VERSION=1.21.6',
        'ARG RELEASE=20.04',
        'RUN echo $RELEASE',
        'RUN ["echo", "hi"]',
        'WORKDIR /usr/src/app',
        'USER node',
        'EXPOSE 80',
        'VOLUME /var/lib/postgresql/data',
        'STOPSIGNAL SIGQUIT',
        'ENTRYPOINT ["/docker-entrypoint.sh"]',
        'CMD ["nginx", "-g", "daemon off;"]',
        'HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD curl -f http://localhost/ || exit 1',
        'SHELL ["/bin/bash", "-c"]',
        'CMD echo hi',
      ].join('\n'),
    ),
    [
      '/bin/sh -c #(nop)  LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>',
      '/bin/sh -c #(nop)  ENV NGINX_VERSION=1.21.6',
      '/bin/sh -c #(nop)  ARG RELEASE=20.04',
      '|1 RELEASE=20.04 /bin/sh -c echo $RELEASE',
      '|1 RELEASE=20.04 echo hi',
      '/bin/sh -c #(nop) WORKDIR /usr/src/app',
      '/bin/sh -c #(nop)  USER node',
      '/bin/sh -c #(nop)  EXPOSE 80',
      '/bin/sh -c #(nop)  VOLUME [/var/lib/postgresql/data]',
      '/bin/sh -c #(nop)  STOPSIGNAL SIGQUIT',
      '/bin/sh -c #(nop)  ENTRYPOINT ["/docker-entrypoint.sh"]',
      '/bin/sh -c #(nop)  CMD ["nginx" "-g" "daemon off;"]',
      `/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/ || exit 1"] "30s" "3s" "0s" "0s" '\\x03'}`,
      '/bin/bash -c #(nop)  SHELL [/bin/bash -c]',
      '/bin/bash -c #(nop)  CMD ["/bin/bash" "-c" "echo hi"]',
    ],
  );
});

test('the image config is folded step by step', () => {
  const plan = planOk(
    [
      'FROM busybox',
      'ENV A=1 B="two words"',
      'ENV A=2 C=$A',
      'WORKDIR app',
      'WORKDIR sub',
      'USER 1000:1000',
      'EXPOSE 8080 53/udp 9000-9001',
      'LABEL a=1 "b c"=2',
      'LABEL a=3',
      'VOLUME ["/data", "/logs"]',
      'STOPSIGNAL 9',
      'HEALTHCHECK --interval=5s --start-period=1m30s CMD ["/bin/check"]',
      'ENTRYPOINT ["/init"]',
    ].join('\n'),
  );
  const steps = plan.stages[0]!.steps;
  assert.equal(steps[0]!.config.Env, [PATH, 'A=1', 'B=two words']);
  assert.equal(steps[1]!.config.Env, [PATH, 'A=2', 'B=two words', 'C=1'], 'ENV values see the variables from before the instruction');
  const c = plan.stages[0]!.config;
  assert.equal(c, {
    Env: [PATH, 'A=2', 'B=two words', 'C=1'],
    WorkingDir: '/app/sub',
    User: '1000:1000',
    ExposedPorts: { '8080/tcp': {}, '53/udp': {}, '9000/tcp': {}, '9001/tcp': {} },
    Labels: { a: '3', 'b c': '2' },
    Volumes: { '/data': {}, '/logs': {} },
    StopSignal: '9',
    Healthcheck: { Test: ['CMD', '/bin/check'], Interval: 5e9, StartPeriod: 90e9 },
    Entrypoint: ['/init'],
  });
  assert.equal(steps[0]!.config.Cmd, ['sh'], 'each step keeps its own config (ENTRYPOINT cleared Cmd only later)');
  assert.equal(steps.map((s) => s.action.type), ['config', 'config', 'mkdir', 'mkdir', 'config', 'config', 'config', 'config', 'config', 'config', 'config', 'config']);
});

test('ENTRYPOINT resets an inherited CMD, but not one set in the same stage', () => {
  assert.equal(planOk('FROM busybox\nENTRYPOINT ["/x"]').stages[0]!.config.Cmd, undefined);
  assert.equal(planOk('FROM busybox\nCMD ["a"]\nENTRYPOINT ["/x"]').stages[0]!.config.Cmd, ['a']);
  assert.equal(planOk('FROM busybox').stages[0]!.config.Cmd, ['sh'], 'the base image config is inherited');
});

test('RUN: shell form uses SHELL, env has build args in scope but ENV wins', () => {
  const plan = planOk('FROM busybox\nARG A=arg\nARG B\nENV A=env\nUSER 7\nWORKDIR /w\nSHELL ["/bin/ash", "-eo", "pipefail", "-c"]\nRUN make $A', { buildArgs: { B: 'given' } });
  const run = plan.stages[0]!.steps.at(-1)!;
  assert.equal(run.action, { type: 'run', argv: ['/bin/ash', '-eo', 'pipefail', '-c', 'make $A'], env: [PATH, 'A=env', 'B=given'], user: '7', workdir: '/w' });
  assert.equal(run.buildArgs, ['A=arg', 'B=given']);
  assert.is(run.history.created_by, '|1 B=given /bin/ash -eo pipefail -c make $A');
});

test('ARG scoping: global ARGs reach FROM only; a stage re-declares them; --build-arg overrides', () => {
  const text = [
    'ARG TAG=1.0',
    'ARG UNUSED_IN_STAGE=x',
    'FROM busybox AS one',
    'LABEL tag=${TAG}-${UNUSED_IN_STAGE}',
    'ARG TAG',
    'LABEL tag2=${TAG}',
    'FROM busybox',
    'LABEL tag=${TAG}',
    'ARG LOCAL=default',
    'LABEL local=$LOCAL',
  ].join('\n');
  const plan = planOk(text);
  assert.equal(plan.stages[0]!.config.Labels, { tag: '-', tag2: '1.0' });
  assert.equal(plan.stages[1]!.config.Labels, { tag: '', local: 'default' });
  const over = planOk(text, { buildArgs: { TAG: '2.0', LOCAL: 'given', NOBODY: 'x', http_proxy: 'http://p' } });
  assert.equal(over.stages[0]!.config.Labels, { tag: '-', tag2: '2.0' });
  assert.equal(over.stages[1]!.config.Labels, { tag: '', local: 'given' });
  assert.equal(over.warnings, ['build arg NOBODY was given but no ARG in Dockerfile declares it']);
});

test('FROM expands global ARGs and build args; platform ARGs exist', () => {
  const plan = planOk('ARG BASE=busy\nFROM ${BASE}box\nARG TARGETARCH\nLABEL arch=$TARGETARCH', {});
  assert.equal(plan.stages[0]!.base, { type: 'image', ref: 'busybox', digest: BUSYBOX.digest });
  assert.equal(plan.stages[0]!.config.Labels, { arch: 'amd64' });
  const res = tryPlan('ARG BASE=busy\nFROM ${BASE}box', { buildArgs: { BASE: 'nope' } });
  assert.is(res.errors[0]!.message, 'base image "nopebox" is not in the local store');
  assert.is(`${res.errors[0]!.line}:${res.errors[0]!.column}`, '2:6');
});

test('FROM --platform is accepted for the build platform only; ONBUILD of a base is reported, not run', () => {
  assert.equal(planOk('FROM --platform=$BUILDPLATFORM busybox').stages[0]!.base.type, 'image');
  assert.equal(planOk('FROM --platform=linux/amd64 busybox').stages[0]!.base.type, 'image');
  const e = tryPlan('ARG P=linux/arm64\nFROM --platform=$P busybox').errors[0]!;
  assert.is(`${e.line}:${e.column} ${e.message}`, '2:17 FROM --platform=linux/arm64 is not supported: berth builds for linux/amd64 only');
  assert.match(e.hint!, /remove --platform/);
  const onbuild = { digest: BUSYBOX.digest, config: { ...BUSYBOX.config, OnBuild: ['RUN make'] } };
  const plan = planOk('FROM parent\nONBUILD RUN echo child', { images: { parent: onbuild } });
  assert.equal(plan.warnings, ['Dockerfile:1: base image parent has ONBUILD triggers (RUN make); berth records ONBUILD but does not run it']);
  assert.equal(plan.stages[0]!.config.OnBuild, ['RUN echo child'], 'the triggers of this image are recorded; the parent ones are not inherited');
});

test('multi-stage: FROM a stage inherits its config; order builds only what the target needs', () => {
  const plan = planOk('FROM busybox AS base\nENV X=1\nFROM scratch AS unused\nFROM base AS app\nCOPY --from=0 /etc/passwd /p\nFROM app');
  assert.equal(plan.stages.map((s) => s.base.type), ['image', 'scratch', 'stage', 'stage']);
  assert.equal(plan.stages[2]!.config.Env, [PATH, 'X=1']);
  assert.equal(plan.order, [0, 2, 3]);
  assert.is(plan.target, 3);
  assert.equal(planOk('FROM busybox AS a\nFROM scratch AS b', { target: 'a' }).order, [0]);
  assert.equal(planOk('FROM scratch').stages[0]!.config, { Env: [PATH] }, 'scratch gets a PATH like Docker gives it');
  assert.is(tryPlan('FROM busybox AS a', { target: 'aa' }).errors[0]!.hint, 'did you mean --target a?');
});

test('COPY: context sources, dest relative to WORKDIR, --chown/--chmod, --from stage and image', () => {
  const ctx = fakeContext(['src/', 'src/a.js', 'src/b.js', 'README', 'files.tar']);
  const plan = planOk(
    'FROM busybox AS b\nWORKDIR /app\nARG OWNER=1:1\nCOPY --chown=$OWNER --chmod=0640 src README ./\nCOPY src/*.js lib/\nFROM busybox\nCOPY --from=b /app/src /src\nCOPY --from=other:1 x y',
    { context: ctx, images: { busybox: BUSYBOX, 'other:1': { digest: 'sha256:' + 'c'.repeat(64), config: {} } } },
  );
  const [, copy, glob] = plan.stages[0]!.steps.filter((s) => s.action.type !== 'config');
  assert.equal(copy!.action.type === 'copy' && { ...copy!.action, source: { ...copy!.action.source, files: undefined } }, {
    type: 'copy', instruction: 'COPY', source: { type: 'context', roots: ['README', 'src'], files: undefined },
    dest: '/app/', destIsDir: true, chown: '1:1', chmod: 0o640, extract: [],
  });
  assert.equal(copy!.action.type === 'copy' && copy!.action.source.type === 'context' && copy!.action.source.files.map((f) => f.path), ['README', 'src', 'src/a.js', 'src/b.js']);
  assert.equal(glob!.action.type === 'copy' && glob!.action.source.type === 'context' && glob!.action.source.roots, ['src/a.js', 'src/b.js']);
  const [fromStage, fromImage] = plan.stages[1]!.steps;
  assert.equal(fromStage!.action.type === 'copy' && fromStage!.action.source, { type: 'stage', stage: 0, paths: ['/app/src'] });
  assert.equal(fromImage!.action.type === 'copy' && fromImage!.action.source, { type: 'image', ref: 'other:1', digest: 'sha256:' + 'c'.repeat(64), paths: ['/x'] });
});

// [Dockerfile, line:col, message substring, hint substring]
const COPY_ERRORS: [string, string, string, string][] = [
  ['COPY ../secret /x', '2:6', 'source "../secret" is outside the build context', 'move the file into the context'],
  ['COPY /etc/passwd /x', '2:6', 'source "/etc/passwd" is an absolute path', 'relative to the build context'],
  ['COPY out/link /x', '2:6', 'symlink that points outside', 'copy the file itself'],
  ['COPY abs /x', '2:6', 'symlink that points outside', ''],
  ['COPY README missing.txt /x/', '2:13', 'source "missing.txt" matches no file', '.dockerignore'],
  ['COPY *.md /x/', '2:6', 'source "*.md" matches no file', ''],
  ['COPY README src /x', '2:17', 'more than one source needs a directory destination ending in /', 'write /x/'],
  ['ADD https://example.org/a.tgz /x', '2:5', 'ADD from a URL (https://example.org/a.tgz) is not supported', 'download the file into the build context'],
  ['FROM busybox\nCOPY --from=biuld /a /b', '3:13', 'no stage or image named "biuld"', 'did you mean --from=build?'],
  ['COPY --from=later /a /b\nFROM busybox AS later', '2:13', 'that stage comes later', ''],
  ['COPY --from=0 /a /b', '2:13', 'that stage is this one', ''],
  ['COPY --from=7 /a /b', '2:13', 'no stage number 7', ''],
  ['COPY --chmod=999 README /x', '2:14', 'invalid --chmod "999"', 'octal'],
  ['EXPOSE 80/tcpx', '2:8', 'invalid port "80/tcpx"', ''],
  ['STOPSIGNAL SIGNOPE', '2:1', 'invalid signal "SIGNOPE"', ''],
  ['HEALTHCHECK --interval=5 CMD true', '2:24', 'invalid duration "5"', ''],
  ['VOLUME data', '2:1', 'VOLUME needs absolute paths, not "data"', ''],
  ['LABEL a="unterminated', '2:7', 'double quote', ''],
  ['WORKDIR ${X:?X must be set}', '2:9', 'X must be set', ''],
];

test('COPY and other bad input is a ConfigError at the word, with a hint', () => {
  const ctx = fakeContext(['README', 'src/', 'src/a', 'out -> ..', 'abs -> /etc/passwd']);
  for (const [line, where, message, hint] of COPY_ERRORS) {
    const res = tryPlan(`FROM busybox AS build\n${line}`, { context: ctx });
    const e = res.errors[0];
    assert.ok(e, `no error for ${line}`);
    assert.is(`${e.line}:${e.column}`, where, `${line}: ${e.message}`);
    assert.ok(e.message.includes(message), `${line}: "${e.message}" lacks "${message}"`);
    assert.ok(e.hint?.includes(hint) ?? hint === '', `${line}: hint "${e.hint}" lacks "${hint}"`);
    assert.is(e.file, 'Dockerfile');
  }
});

test('symlinks inside the context are followed, paths are normalised', () => {
  const ctx = fakeContext(['real/', 'real/f', 'link -> real', 'top -> real/f']);
  const plan = planOk('FROM busybox\nCOPY link/f ./real/../top /x/', { context: ctx });
  const a = plan.stages[0]!.steps[0]!.action;
  assert.equal(a.type === 'copy' && a.source.type === 'context' && a.source.roots, ['real/f']);
});

test('a build arg changes the keys from the step that declares it on, not before', () => {
  const text = 'FROM busybox\nRUN one\nARG V=1\nRUN two\nRUN three $V';
  const keys = (buildArgs: Record<string, string>) => assignCacheKeys(planOk(text, { buildArgs }), new Map()).plan!.stages[0]!.steps.map((s) => s.key);
  const a = keys({});
  const b = keys({ V: '2' });
  assert.is(a[0], b[0]);
  assert.ok(a.slice(1).every((k, i) => k !== b[i + 1]));
  assert.equal(keys({ V: '1' }), a, 'the default given explicitly is the same build');
});

test('stored configs with nulls and unknown fields are read; plan configs fit the store type', () => {
  const stored: ContainerConfig = { Env: ['A=1'], Cmd: null, Entrypoint: null, User: '', WorkingDir: '', ExposedPorts: { '80/tcp': {} }, ArgsEscaped: true, OnBuild: null };
  const plan = planOk('FROM stored\nCMD ["x"]', { images: { stored: { digest: BUSYBOX.digest, config: stored } } });
  const config: ContainerConfig = plan.stages[0]!.config;
  assert.equal(config, { Env: [PATH, 'A=1'], ExposedPorts: { '80/tcp': {} }, Cmd: ['x'] });
});

test.run();

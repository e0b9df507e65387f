/**
 * Benchmark (not a test): launch → first line of the guest's command, for a
 * micro-VM of the busybox image through VmDriver (shim, QMP, initramfs
 * cache, log file) next to the bare QEMU command line the driver generated
 * (same kernel, initramfs and devices; output read straight from stdout),
 * in one process, interleaved so host load hits both alike. Prints the
 * medians and their ratio. A warm-up run first builds the cached initramfs.
 *
 *   node --import tsx bench/vm-boot.ts [ITERATIONS]   (as root; TCG here, ~2–20 s a boot)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { InstanceSpec } from '../src/runtime/driver.js';
import { VmDriver } from '../src/runtime/vm/driver.js';
import { busyboxLayer } from '../test/helpers/busybox-layer.js';

const N = Number(process.argv[2] ?? 3);
const root = mkdtempSync('/tmp/berth-vmbench-');
const driver = new VmDriver({ root });
const LINE = 'first-line-of-the-command';
const spec = (i: number): InstanceSpec => ({
  id: `bench-${i}`, unit: 'bench', layers: [busyboxLayer()], argv: ['echo', LINE], env: { PATH: '/bin:/sbin' }, hostname: 'bench',
  resources: {}, mounts: [], network: { attach: [], ports: [] }, vm: { cpus: 1, memoryBytes: 256 << 20, disksBytes: [], cloudInit: false },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** berth: start → the line in the unit's log. Returns ms and the QEMU argv it used. */
async function viaBerth(i: number): Promise<{ ms: number; args: string[] }> {
  const t0 = performance.now();
  const h = await driver.start(spec(i));
  while (!(existsSync(h.logPath) && readFileSync(h.logPath, 'utf8').includes(LINE))) await sleep(5);
  const ms = performance.now() - t0;
  const args = JSON.parse(readFileSync(join(h.data.dir as string, 'qemu.json'), 'utf8')) as string[];
  await driver.wait(h);
  await driver.destroy(h);
  return { ms, args };
}

/** bare: the same argv (own QMP socket), stdout read directly. */
function bare(args: string[], i: number): Promise<number> {
  const sock = join(root, `bare-${i}.sock`);
  const argv = args.map((a) => a.replace(/unix:[^,]+,/, `unix:${sock},`));
  // 9p shares of the (destroyed) berth instance, e.g. its exec share: recreate the empty folders under the bench root
  for (const a of argv) { const m = /^local,.*path=([^,]+)/.exec(a); if (m && !existsSync(m[1]!)) mkdirSync(m[1]!, { recursive: true }); }
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let ms = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { out += d; if (!ms && out.includes(LINE)) ms = performance.now() - t0; });
    child.on('exit', () => (ms ? resolve(ms) : reject(new Error(`bare QEMU ended without the line:\n${out}`))));
  });
}

try {
  const warm = await viaBerth(0);
  const berth: number[] = [];
  const plain: number[] = [];
  for (let i = 1; i <= N; i++) {
    berth.push((await viaBerth(i)).ms);
    plain.push(await bare(warm.args, i));
  }
  const a = await driver.accel();
  console.log(`vm boot, launch → first line of the command (${a.why}), ${N} runs each, medians:`);
  console.log(`  berth VmDriver  ${median(berth).toFixed(0)} ms   [${berth.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`  bare qemu       ${median(plain).toFixed(0)} ms   [${plain.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`  ratio berth/bare ${(median(berth) / median(plain)).toFixed(2)}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

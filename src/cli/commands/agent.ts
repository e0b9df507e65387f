/**
 * `berth agent`: the long-running host agent, in the foreground (for
 * systemd, tmux or a terminal).
 */
import type { Command } from 'commander';
import { readGlobals } from '../globals.js';

/** Registers the `agent` verb. */
export function register(program: Command): void {
  program
    .command('agent')
    .description('run the host agent in the foreground: apply a unit folder, supervise it, serve the API')
    .option('-u, --units <dir>', 'unit folder to apply and watch')
    .option('--socket <path>', 'unix socket to serve (default: the path of --host, or /run/berth/berth.sock)')
    .option('--docker-socket <path>', 'Docker-compatible API socket (default: docker.sock beside --socket)')
    .option('--no-docker-socket', 'do not serve the Docker-compatible API')
    .option('--listen <url...>', 'also serve TCP, e.g. tcp://0.0.0.0:7777 (bearer token in <root>/api-token)')
    .option('--tls-cert <file>', 'serve TCP over TLS with this certificate')
    .option('--tls-key <file>', 'the key of --tls-cert')
    .option('--secrets <dir>', 'secrets folder (default <root>/secrets)')
    .option('--stop-on-exit', 'stop every unit when the agent ends (default: they keep running)')
    .option('--no-watch', 'do not re-apply when the unit folder changes')
    .option('--quiet', 'do not print events')
    .action(async (o: { units?: string; socket?: string; dockerSocket?: string | false; listen?: string[]; tlsCert?: string; tlsKey?: string; secrets?: string; stopOnExit?: boolean; watch: boolean; quiet?: boolean }, cmd: Command) => {
      const g = readGlobals(cmd);
      const { checkTlsFlags } = await import('../agent-flags.js');
      checkTlsFlags(o);
      const { serveAgent } = await import('../../api/serve-agent.js');
      const { agentRoutes } = await import('../../api/routes/index.js');
      const socket = o.socket ?? (g.host.startsWith('unix://') ? g.host.slice(7) : '/run/berth/berth.sock');
      process.exitCode = await serveAgent({
        root: g.root,
        socket,
        ...(o.units ? { unitsDir: o.units } : {}),
        ...(o.listen ? { listen: o.listen } : {}),
        ...(o.tlsCert && o.tlsKey ? { tls: { cert: o.tlsCert, key: o.tlsKey } } : {}),
        ...(o.secrets ? { secretsDir: o.secrets } : {}),
        stopOnExit: o.stopOnExit ?? false,
        watch: o.watch,
        logEvents: !o.quiet,
        routes: agentRoutes,
        ...(o.dockerSocket !== undefined ? { dockerSocket: o.dockerSocket } : {}),
      });
    });
}

#!/usr/bin/env node
/**
 * discoronode: serves discoro computations on this machine (one main process, one server
 * process per CPU for each computation). See `discoronode --help` and docs/discoro.md.
 * Exit codes: 0 after --help/--version or a clean stop (SIGINT/SIGTERM, `quit`, --serve done),
 * 1 on a runtime failure (folder in use, cannot listen), 2 on a usage error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import { pino } from 'pino';
import { DiscoroNode } from '../actors/discoro/node/DiscoroNode.js';
import type { Coro } from '../runtime/Coro.js';
import { AsyncFile } from '../transports/io/AsyncFile.js';
import { parseCommand, USAGE, UsageError, type ParsedCommand } from './discoronodeArgs.js';
import { runCommand } from './nodeCommands.js';

const PROMPT = 'discoronode> ';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(): Promise<number> {
  // Whoever started us may stop reading (a closed pipe): that is no reason to crash while stopping.
  process.stdout.on('error', () => {});
  let cmd: ParsedCommand;
  try {
    cmd = parseCommand(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`discoronode: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (cmd.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (cmd.version) {
    process.stdout.write(`discoronode ${version()}\n`);
    return 0;
  }
  // Read: no job (nor anything else this process starts) finds them in the environment.
  for (const name of ['DISCORO_SECRET', 'DISCORO_DASHBOARD_TOKEN']) delete process.env[name];
  if (cmd.saveConfig !== undefined) {
    writeFileSync(cmd.saveConfig, `${JSON.stringify(cmd.settings, null, 2)}\n`);
    process.stdout.write(`options saved to ${cmd.saveConfig} (without the secret)\n`);
    return 0;
  }
  const logger = pino({ level: cmd.logLevel, redact: { paths: ['secret', '*.secret'], censor: '[redacted]' } }, pino.destination(2));
  let node: DiscoroNode;
  try {
    node = await DiscoroNode.start({ ...cmd.options, logger, ...(cmd.dashboard === undefined ? {} : { dashboard: cmd.dashboard }) });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_INVALID_ARGUMENT' || e.code === 'ERR_INSECURE_NETWORK') {
      process.stderr.write(`discoronode: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`discoronode: ${e.message}\n`);
    return 1;
  }
  // Signals are handled before the first line is printed: whoever reads it may signal at once.
  const quit = new AbortController();
  const stop = (why: string): void => {
    if (quit.signal.aborted) return;
    process.stdout.write(`discoronode ${node.name} stopping (${why})\n`);
    quit.abort(new Error(why));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  const dashboard = node.dashboard;
  const also = node.net.addresses.map(String).filter((a) => a !== node.location);
  process.stdout.write(`discoronode ${node.name} listening at ${node.location}${also.length > 0 ? ` (also ${also.join(', ')})` : ''} with ${node.cpus} servers (pid ${process.pid}, folder ${node.root})\n`);
  if (dashboard !== undefined) process.stdout.write(`dashboard at ${dashboard.url}${cmd.dashboard?.token === undefined ? ' (read-only: no --dashboard-token)' : ''}\n`);

  const terminal = !cmd.daemon && process.stdin.isTTY ? readCommands(node, stop, quit.signal) : undefined;

  // Until the node stops by itself (--serve done) or is told to stop.
  const byItself = await node.stopped({ signal: quit.signal }).catch((err: unknown) => {
    if (quit.signal.aborted) return false;
    throw err;
  });
  if (!byItself) await node.stop();
  terminal?.terminate();
  process.stdout.write(`discoronode ${node.name} stopped\n`);
  return 0;
}

/**
 * The terminal: a coroutine of the node that reads command lines from stdin and runs each in a
 * coroutine of its own (not awaited by the reader: while `close` waits for running jobs,
 * `terminate` or `quit` may be typed). The end of input stops the node.
 */
function readCommands(node: DiscoroNode, stop: (why: string) => void, quit: AbortSignal): Coro<never, void> {
  const input = new AsyncFile(process.stdin as net.Socket, false, node.scheduler);
  const io = { print: (text: string) => void process.stdout.write(`${text}\n`), quit: stop };
  const prompt = (): void => void (quit.aborted || process.stdout.write(PROMPT));
  return node.scheduler.spawnWith({ name: 'terminal', daemon: true }, async (coro: Coro<never, void>) => {
    prompt();
    for (let line = await input.readLine({ coro }); line.length > 0; line = await input.readLine({ coro })) {
      if (quit.aborted || node.isStopping) break;
      node.scheduler.spawnWith({ name: 'terminal-command', daemon: true }, async () => {
        try {
          await runCommand(node, line.toString('utf8').trimEnd(), io);
        } catch (err) {
          io.print(`discoronode: ${(err as Error).message}`);
        }
        prompt();
      });
    }
    stop('end of input');
  });
}

main().then(
  (code) => {
    process.exitCode = code;
    // Servers and sockets are gone; once stdout is flushed, do not wait for stray handles.
    process.stdout.write('', () => process.exit(code));
  },
  (err: Error) => {
    process.stderr.write(`discoronode: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);

/**
 * The commands a discoronode reads from its terminal (`bin/discoronode` passes each line of
 * stdin here, only when stdin is a terminal and without `--daemon`): `status` (also an empty
 * line), `close`, `terminate`, `quit` (or `exit`) and `help`. While `close` or `terminate` runs,
 * the terminal follows the node's event channel and prints each computation as it closes.
 */
import type { DiscoroNode } from '../actors/discoro/node/DiscoroNode.js';
import type { NodeChange } from '../actors/discoro/node/nodeEvents.js';
import type { Coro } from '../runtime/Coro.js';

/** What the commands can do besides the node: print, and stop the node (as SIGINT does). */
export interface CommandIo {
  print(text: string): void;
  quit(why: string): void;
}

/** The commands and what they do (the `help` text). */
export const COMMANDS_HELP = `commands:
  status     computations, slots, service window, each server's location, pid, jobs and client (also an empty line)
  close      close every computation gracefully: running jobs finish, no new ones start (the node goes on serving)
  terminate  close every computation now: running jobs are terminated and their clients told
  quit       stop the node gracefully, as SIGINT does (also: exit)
  help       this text`;

/** The `status` text. */
export function statusText(node: DiscoroNode): string {
  const lines = [
    `${node.computations.size} computations, ${node.freeCpus}/${node.cpus} slots free, ${node.waiting} waiting, ${node.servedCount} served`,
    `service: ${node.serviceStatus}`,
  ];
  for (const comp of node.computations.values()) {
    for (const [i, s] of comp.servers) {
      if (s.info === undefined) continue;
      lines.push(`  ${comp.id} server ${i} at ${s.info.location} pid ${s.info.pid}: ${s.report.running} jobs, client ${comp.client}${comp.closing ? ' (closing)' : ''}`);
    }
  }
  return lines.join('\n');
}

/**
 * Runs one command line; resolves when what it started is done (`close` and `terminate` print
 * each computation as it closes, then the count). An unknown command prints the help.
 * @example
 * ```ts
 * const node = await DiscoroNode.start({ cpus: 1 });
 * await runCommand(node, 'terminate', { print: (text) => process.stdout.write(`${text}\n`), quit: () => undefined });
 * ```
 */
export async function runCommand(node: DiscoroNode, line: string, io: CommandIo): Promise<void> {
  const command = line.trim().toLowerCase();
  switch (command) {
    case '':
    case 'status':
      io.print(statusText(node));
      return;
    case 'close':
    case 'terminate': {
      const terminate = command === 'terminate';
      const n = node.computations.size;
      io.print(terminate ? `terminating ${n} computations` : `closing ${n} computations gracefully (running jobs finish; 'terminate' cuts it short)`);
      const follower = node.scheduler.spawnWith({ name: `terminal-${command}`, daemon: true }, (coro: Coro<NodeChange | typeof DONE, void>) => printClosed(coro, node, io));
      let closed: number;
      try {
        closed = await node.closeComputations({ terminate });
      } finally {
        follower.send(DONE); // after the events it has yet to print
        await follower.finish({ timeout: 5000 }).catch(() => undefined);
      }
      io.print(`${terminate ? 'terminated' : 'closed'} ${closed} computations`);
      return;
    }
    case 'quit':
    case 'exit':
      io.quit('quit');
      return;
    case 'help':
      io.print(COMMANDS_HELP);
      return;
    default:
      io.print(`unknown command '${command}'\n${COMMANDS_HELP}`);
  }
}

const DONE = Symbol('done');

/** Prints each computation that closes, until told DONE. */
async function printClosed(coro: Coro<NodeChange | typeof DONE, void>, node: DiscoroNode, io: CommandIo): Promise<void> {
  await node.events.subscribe(coro);
  try {
    for (let e = await coro.receive(); e !== DONE; e = await coro.receive()) {
      if (e.kind === 'computation-closed') io.print(`  ${e.id} of client ${e.client} closed${e.reason === undefined ? '' : `: ${e.reason}`}`);
    }
  } finally {
    if (!node.events.closed) await node.events.unsubscribe(coro);
  }
}

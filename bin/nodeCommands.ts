/**
 * The commands a discoronode reads from its terminal (`bin/discoronode` passes each line of
 * stdin here, only when stdin is a terminal and without `--daemon`): `status` (also an empty
 * line), `close`, `terminate`, `quit` (or `exit`) and `help`.
 */
import type { DiscoroNode } from '../actors/discoro/node/DiscoroNode.js';

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
    for (const [i, s] of comp.servers) lines.push(`  ${comp.id} server ${i} at ${s.process.location} pid ${s.process.pid}: ${s.process.running} jobs, client ${comp.client}${comp.closing ? ' (closing)' : ''}`);
  }
  return lines.join('\n');
}

/**
 * Runs one command line; resolves when what it started is done (`close` and `terminate` print
 * again then). An unknown command prints the help.
 * @example
 * ```ts
 * const node = await DiscoroNode.start({ cpus: 1 });
 * await runCommand(node, 'terminate', { print: (text) => process.stdout.write(`${text}\n`), quit: () => void node.stop() });
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
      const closed = await node.closeComputations({ terminate });
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

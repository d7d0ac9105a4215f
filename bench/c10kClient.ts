/**
 * Client side of the C10K benchmark (a child process of bench/c10k.ts, plain
 * node:net so it measures the servers, not itself). Opens CONNS connections,
 * prints `connected`, waits for `go` on stdin, then every connection does
 * ROUNDS request/response round trips of 64 bytes; prints one JSON result line.
 *
 * Run: `node dist/bench/c10kClient.js <port> [conns=10000] [rounds=10]`.
 * @module
 */
import net from 'node:net';
import { createInterface } from 'node:readline';

const REQUEST = Buffer.alloc(64, 0x61);

interface Conn {
  sock: net.Socket;
  got: number;
  rounds: number;
}

async function open(port: number, count: number, inFlight = 500): Promise<Conn[]> {
  const conns: Conn[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const sock = await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
        s.once('error', reject);
      });
      sock.setNoDelay(true);
      conns.push({ sock, got: 0, rounds: 0 });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return conns;
}

function roundTrips(conns: Conn[], rounds: number): Promise<number> {
  return new Promise((resolve) => {
    let done = 0;
    let errors = 0;
    const finished = (): void => {
      if (++done === conns.length) resolve(errors);
    };
    for (const c of conns) {
      c.sock.on('error', () => {
        errors++;
        finished();
      });
      c.sock.on('data', (chunk: Buffer) => {
        c.got += chunk.length;
        if (c.got < REQUEST.length) return;
        c.got -= REQUEST.length;
        if (++c.rounds === rounds) finished();
        else c.sock.write(REQUEST);
      });
      c.sock.write(REQUEST);
    }
  });
}

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const count = Number(process.argv[3] ?? 10000);
  const rounds = Number(process.argv[4] ?? 10);
  const conns = await open(port, count);
  console.log('connected');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'go') break;
  const start = process.hrtime.bigint();
  const errors = await roundTrips(conns, rounds);
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  const completed = conns.filter((c) => c.rounds === rounds).length;
  console.log(JSON.stringify({ elapsedMs, requests: completed * rounds, completed, errors }));
  for (const c of conns) c.sock.destroy();
  process.exit(0);
}

void main();

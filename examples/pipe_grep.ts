/**
 * Port of asyncoro's pipe_grep.py: a chain `grep -i error | wc -l` fed line by
 * line from a log file by one coroutine while another reads the count.
 *
 * Run: `node dist/examples/pipe_grep.js [file]` (default: examples/fixtures/syslog.txt).
 */
import { fileURLToPath } from 'node:url';
import { AsyncFile, AsyncPipe, spawn, type Coro } from '../index.js';
import { isMain } from './util.js';

const defaultLog = fileURLToPath(new URL('../../examples/fixtures/syslog.txt', import.meta.url));

async function writer(coro: Coro, pipe: AsyncPipe, path: string): Promise<number> {
  const log = await AsyncFile.open(path);
  let lines = 0;
  for (let line = await log.readLine({ coro }); line.length > 0; line = await log.readLine({ coro })) {
    await pipe.write(line, { full: true, coro });
    lines++;
  }
  await log.close();
  await pipe.closeStdin();
  return lines;
}

/** Prints how many lines of `path` mention "error" in any case. */
export async function main(path = defaultLog): Promise<void> {
  const pipe = AsyncPipe.chain([['grep', '-i', 'error'], ['wc', '-l']]);
  const fed = spawn(writer, pipe, path);
  const count = await spawn(async (coro: Coro) => String(await pipe.readLine({ coro })).trim()).value();
  console.log(`lines written: ${await fed.value()}`);
  console.log(`lines with "error": ${count}`);
}

if (isMain(import.meta.url)) void main(process.argv[2]);

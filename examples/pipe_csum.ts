/**
 * Port of asyncoro's pipe_csum.py: the SHA-1 of a file computed by `sha1sum`
 * two ways: `communicate(file)` streams the file in, and a feeder coroutine
 * writes chunks while a reader coroutine collects the output.
 *
 * Run: `node dist/examples/pipe_csum.js [file]` (default: this script).
 */
import { fileURLToPath } from 'node:url';
import { AsyncFile, AsyncPipe, spawn, type Coro } from '../index.js';
import { isMain } from './util.js';

async function feeder(coro: Coro, pipe: AsyncPipe, path: string): Promise<void> {
  const file = await AsyncFile.open(path);
  for (let chunk = await file.read(16 * 1024, { coro }); chunk.length > 0; chunk = await file.read(16 * 1024, { coro })) {
    await pipe.write(chunk, { full: true, coro });
  }
  await file.close();
  await pipe.closeStdin();
}

async function reader(coro: Coro, pipe: AsyncPipe): Promise<string> {
  const out = await pipe.read(0, { coro }); // everything until sha1sum closes its stdout
  return String(out).trim();
}

/** Prints both checksums of `path`. */
export async function main(path = fileURLToPath(import.meta.url)): Promise<void> {
  const file = await AsyncFile.open(path);
  const { stdout } = await AsyncPipe.spawn(['sha1sum']).communicate(file);
  await file.close();
  console.log(`communicate sha1sum: ${String(stdout).trim()}`);

  const pipe = AsyncPipe.spawn(['sha1sum']);
  spawn(feeder, pipe, path);
  console.log(`feeder sha1sum: ${await spawn(reader, pipe).value()}`);
}

if (isMain(import.meta.url)) void main(process.argv[2]);

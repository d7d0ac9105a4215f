/** Shared helpers of the runtime specs. */
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino, type Logger } from 'pino';

/** A pino logger writing JSON lines into `lines` (synchronously). */
export function captureLogger(level = 'debug'): { logger: Logger; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

/** Yields to the event loop once (a full turn: timers, I/O, immediates). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits, turn by turn (at most `maxTurns`), until `pred()` holds; fails otherwise. */
export async function until(pred: () => boolean, maxTurns = 2000, what = 'condition'): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (pred()) return;
    await turn();
  }
  expect.fail(`${what} not reached after ${maxTurns} turns`);
}

/** Runs `fn` (which may throw synchronously or reject) and returns the error; fails if it succeeds. */
export async function caught(fn: () => unknown): Promise<any> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  return expect.fail('expected an error');
}

/** Expects `fn` to throw or reject with an error of class `cls` (and its code, when it has one). */
export async function expectError(fn: () => unknown, cls: abstract new (...args: any[]) => Error): Promise<any> {
  const err = await caught(fn);
  expect(err).to.be.instanceOf(cls);
  const code = (cls as unknown as { CODE?: string }).CODE;
  if (code !== undefined) expect(err.code).to.equal(code);
  return err;
}

/** Fails the current test if an unhandled rejection happens while it runs; returns the uninstaller. */
export function forbidUnhandled(): { seen: unknown[]; uninstall: () => void } {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  return { seen, uninstall: () => process.off('unhandledRejection', onUnhandled) };
}

/** A promise that settles later, for tests that need a foreign (non-runtime) await. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

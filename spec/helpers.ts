/**
 * The one helpers module of the specs: waiting on state, catching typed errors, capturing logs,
 * guarding against unhandled rejections, and deferred promises.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino, type Logger } from 'pino';

/** A pino logger writing parsed JSON lines into `lines` and the raw text into `raw` (synchronously). */
export function captureLogger(level = 'debug'): { logger: Logger; lines: Array<Record<string, any>>; raw: string[] } {
  const lines: Array<Record<string, any>> = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      raw.push(String(chunk));
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: pino({ level }, stream), lines, raw };
}

/** Yields to the event loop once (a full turn: timers, I/O, immediates). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Turns polled back to back before `until` starts pausing between polls (so it never spins for long). */
const FAST_TURNS = 200;
/** Pause between polls after the fast turns, in ms. */
const POLL_MS = 2;

/**
 * Waits until `pred()` holds: every event-loop turn at first, then every few milliseconds; fails
 * the test after `ms` of real time (a bound for liveness, never an assertion on speed).
 */
export async function until(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + ms;
  for (let i = 0; ; i++) {
    if (pred()) return;
    if (performance.now() > deadline) break;
    if (i < FAST_TURNS) await turn();
    else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  expect.fail(`${what} not reached within ${ms} ms`);
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

/** Awaits `p` and returns the error it rejected with; fails the test if it resolved. */
export function rejection(p: Promise<unknown>): Promise<any> {
  return caught(() => p);
}

/** Expects `fn` to throw or reject with an error of class `cls` (and its code, when it has one); returns it. */
export async function expectError<E extends Error = any>(fn: () => unknown, cls: abstract new (...args: any[]) => E): Promise<E & Record<string, any>> {
  const err = await caught(fn);
  expect(err, `expected ${cls.name}`).to.be.instanceOf(cls);
  const code = (cls as unknown as { CODE?: string }).CODE;
  if (code !== undefined) expect(err.code).to.equal(code);
  return err;
}

/** How a promise settled: its value or its error, and after how long (ms, for bounds, never speed). */
export async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: any; ms: number }> {
  const t0 = performance.now();
  try {
    return { value: await p, ms: performance.now() - t0 };
  } catch (error) {
    return { error, ms: performance.now() - t0 };
  }
}

/** Records unhandled rejections while installed; returns what it saw and the uninstaller. */
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

/** Whether a process with this pid exists (signal 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a process with this pid exists and has not yet exited. Unlike isAlive, a zombie counts
 * as exited: a process whose parent was killed first is reaped by init, which here takes well
 * over a second after the process itself is gone.
 */
export function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return isAlive(pid); // gone between the two looks, or no /proc to tell a zombie by
  }
}

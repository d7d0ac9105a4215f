/**
 * The code each WorkerPool thread runs: it receives tasks, runs a module
 * function (imported once) or a self-contained function (compiled once from
 * source the pool's own process supplied), and posts back the result or the error.
 * @module
 */
import { parentPort } from 'node:worker_threads';

/** A task as posted by the pool. */
export interface TaskMessage {
  id: number;
  module?: string;
  name?: string;
  source?: string;
  args: unknown[];
}

const modules = new Map<string, Record<string, unknown>>();
const compiled = new Map<string, (...args: unknown[]) => unknown>();

async function resolve(task: TaskMessage): Promise<(...args: unknown[]) => unknown> {
  if (task.source !== undefined) {
    let fn = compiled.get(task.source);
    if (fn === undefined) {
      // Source comes only from the pool's own process (never from the network).
      fn = new Function(`return (${task.source});`)() as (...args: unknown[]) => unknown;
      compiled.set(task.source, fn);
    }
    return fn;
  }
  let mod = modules.get(task.module!);
  if (mod === undefined) {
    mod = (await import(task.module!)) as Record<string, unknown>;
    modules.set(task.module!, mod);
  }
  const fn = mod[task.name ?? 'default'];
  if (typeof fn !== 'function') throw new TypeError(`${task.module} has no exported function ${task.name ?? 'default'}`);
  return fn as (...args: unknown[]) => unknown;
}

parentPort?.on('message', async (task: TaskMessage) => {
  try {
    const fn = await resolve(task);
    const value = await fn(...task.args);
    parentPort!.postMessage({ id: task.id, ok: true, value });
  } catch (err) {
    const e = err as { name?: string; message?: string; stack?: string; code?: unknown };
    parentPort!.postMessage({ id: task.id, ok: false, error: { name: e?.name ?? 'Error', message: e?.message ?? String(err), stack: e?.stack, code: typeof e?.code === 'string' ? e.code : undefined } });
  }
});

/**
 * The job functions of a computation inside one server process: the exports of its component
 * modules (imported once, in order) and the functions shipped as source text (compiled once).
 * Loading failures are ComponentErrors naming the component and the node (`where`: `node <name>
 * (server <name>_proc-<i>)`); an import that cannot be resolved names the package or module too,
 * and where it was imported from.
 * @module
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ComponentError, UnknownJobFunctionError } from '../../actorErrors.js';
import type { ComputationManifest, JobFunctionRef } from '../protocol.js';

type AnyFunction = (...args: any[]) => unknown;

/** Why a component did not load, in words: the package or module an import could not find, and where from. */
function loadFailure(err: unknown, folder: string): string {
  const e = err as Error & { code?: unknown };
  const from = (text: string): string => {
    const m = / imported from (.+)$/.exec(text);
    if (m === null) return '';
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    return ` (imported from ${path.relative(folder, file) || file})`;
  };
  if (e?.code === 'ERR_MODULE_NOT_FOUND') {
    const pkg = /Cannot find package '([^']+)'/.exec(e.message);
    if (pkg !== null) return `package '${pkg[1]}' cannot be resolved${from(e.message)}: ship it with the computation (a component { package: path }) or install it beside the node (discoronode --modules DIR)`;
    const mod = /Cannot find module '([^']+)'/.exec(e.message);
    if (mod !== null) return `module ${path.relative(folder, mod[1]!.startsWith('file://') ? fileURLToPath(mod[1]!) : mod[1]!)} cannot be resolved${from(e.message)}`;
  }
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
}

/** Compiles a self-contained function from its source text; ComponentError if it does not compile. */
function compile(name: string, source: string, where: string): AnyFunction {
  let fn: unknown;
  try {
    // Shipped code runs here by design: only authenticated peers (same secret) can ship it.
    fn = new Function(`"use strict"; return (${source});`)();
  } catch (err) {
    throw new ComponentError(`function '${name}' does not compile at ${where}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof fn !== 'function') throw new ComponentError(`shipped '${name}' is not a function at ${where}`);
  return fn as AnyFunction;
}

/**
 * The functions a server can run as jobs.
 * @example
 * ```ts
 * const fns = await JobFunctions.load('/tmp/comp-1', { modules: ['work.js'], sources: [] }, 'node-a');
 * const compute = fns.resolve({ name: 'compute' });
 * ```
 */
export class JobFunctions {
  private readonly byName = new Map<string, AnyFunction>();
  private readonly compiled = new Map<string, AnyFunction>();

  private constructor(private readonly where: string) {}

  /** Imports the modules of `manifest` (below `folder`) and compiles its shipped functions. */
  static async load(folder: string, manifest: ComputationManifest, where: string): Promise<JobFunctions> {
    const fns = new JobFunctions(where);
    for (const rel of manifest.modules) {
      let mod: Record<string, unknown>;
      try {
        mod = (await import(pathToFileURL(path.join(folder, rel)).href)) as Record<string, unknown>;
      } catch (err) {
        throw new ComponentError(`component ${rel} does not load at ${where}: ${loadFailure(err, folder)}`, { cause: err });
      }
      for (const [name, value] of Object.entries(mod)) {
        if (typeof value === 'function' && !fns.byName.has(name)) fns.byName.set(name, value as AnyFunction);
      }
    }
    for (const { name, source } of manifest.sources) {
      if (!fns.byName.has(name)) fns.byName.set(name, compile(name, source, where));
    }
    return fns;
  }

  /** The function a job names: an export or shipped function by name, else its own source. */
  resolve(ref: JobFunctionRef): AnyFunction {
    const named = ref.name !== '' ? this.byName.get(ref.name) : undefined;
    if (named !== undefined) return named;
    if (typeof ref.source === 'string') {
      let fn = this.compiled.get(ref.source);
      if (fn === undefined) {
        fn = compile(ref.name || 'anonymous', ref.source, this.where);
        if (this.compiled.size < 1000) this.compiled.set(ref.source, fn);
      }
      return fn;
    }
    throw new UnknownJobFunctionError(`no component exports a function named '${ref.name.slice(0, 80)}' at ${this.where}`);
  }
}

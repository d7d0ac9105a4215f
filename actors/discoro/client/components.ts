/**
 * A computation's components as the client ships them: files (ES modules, which every server
 * imports, and data files), folders (shipped whole; an `index.js` or `index.mjs` in them is
 * imported), self-contained functions (shipped as source text), and packages its jobs import (a
 * package folder or an `npm pack` tarball, installed in the computation's `node_modules` on each node).
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { tarEntriesSync } from '../../../transports/io/tarball.js';
import type { ShippedFunction } from '../protocol.js';
import { isShippablePackageName, PACKAGES_DIR, type ShippedPackage } from '../shippedPackages.js';

/**
 * A package a computation ships for its jobs: a folder with a `package.json`, or a tarball made by
 * `npm pack` (`.tgz`). Its jobs import it by its name, on every node; its own dependencies are not
 * shipped with it (ship them too, or install them beside the node: `discoronode --modules DIR`).
 * @example
 * ```ts
 * const pkg: PackageComponent = { package: './vendor/left-pad-1.3.0.tgz' };
 * ```
 */
export interface PackageComponent {
  package: string;
}

/**
 * A component: a path (file or folder), a self-contained function, or a package.
 * @example
 * ```ts
 * const components: Component[] = ['./work.mjs', './data/', function square(_coro: unknown, x: number) { return x * x; }, { package: './vendor/stats' }];
 * ```
 */
export type Component = string | ((...args: any[]) => unknown) | PackageComponent;

/**
 * What to send and what the servers load.
 * @example
 * ```ts
 * const { files, modules }: ResolvedComponents = resolveComponents(['./work.mjs']);
 * ```
 */
export interface ResolvedComponents {
  /** `[local path, folder below the computation folder ('' for its top), the component it belongs to (as given)]`. */
  files: Array<[string, string, string]>;
  /** Module paths relative to the computation folder, imported in this order. */
  modules: string[];
  sources: ShippedFunction[];
  /** Packages, in the computation's `node_modules` on every node. */
  packages: ShippedPackage[];
}

const MODULE = /\.(m?js)$/;

/** Where tarballs travel to, below the computation folder; the node extracts them into PACKAGES_DIR. */
const TARBALLS = `${PACKAGES_DIR}/.tarballs`;
/** The most a package tarball may unpack to, read at the client to learn its name (the node has its own bound). */
const CLIENT_TARBALL_BYTES = 2 ** 30;

function walk(dir: string, rel: string, component: string, out: Array<[string, string, string]>): void {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) {
      if (name !== 'node_modules' && !name.startsWith('.')) walk(full, path.posix.join(rel, name), component, out);
    } else if (st.isFile()) out.push([full, rel, component]);
  }
}

/** The name a package's package.json gives; InvalidArgumentError unless it is one a computation may ship. */
function packageName(json: string | Buffer | undefined, component: string): string {
  let name: unknown;
  try {
    name = (JSON.parse(String(json)) as { name?: unknown }).name;
  } catch {
    throw new InvalidArgumentError(`package component ${component} has no readable package.json`);
  }
  if (name === 'asyncoro') throw new InvalidArgumentError(`package component ${component}: asyncoro is not shipped (jobs import the node's own)`);
  if (!isShippablePackageName(name)) throw new InvalidArgumentError(`package component ${component}: ${JSON.stringify(String(name).slice(0, 100))} is not a package name`);
  return name;
}

/** A package component: its files to ship and what the nodes install. */
function resolvePackage(given: unknown, files: Array<[string, string, string]>): ShippedPackage {
  if (typeof given !== 'string' || given.length === 0) throw new InvalidArgumentError('a package component is { package: a folder or a .tgz file }');
  let st;
  try {
    st = statSync(given);
  } catch {
    throw new InvalidArgumentError(`package component ${given} does not exist`);
  }
  const full = path.resolve(given);
  const component = path.basename(full);
  if (st.isDirectory()) {
    let json: Buffer | undefined;
    try {
      json = readFileSync(path.join(full, 'package.json'));
    } catch {
      // reported by packageName
    }
    const name = packageName(json, given);
    walk(full, path.posix.join(PACKAGES_DIR, name), given, files);
    return { name, component };
  }
  if (!st.isFile() || !/\.(tgz|tar\.gz)$/.test(full)) throw new InvalidArgumentError(`package component ${given} is neither a folder nor a .tgz tarball`);
  let json: Buffer | undefined;
  try {
    const entry = tarEntriesSync(readFileSync(full), { maxBytes: CLIENT_TARBALL_BYTES }).find((e) => e.kind === 'file' && e.path.join('/') === 'package.json');
    json = entry?.kind === 'file' ? entry.data : undefined;
  } catch (err) {
    throw new InvalidArgumentError(`package component ${given} is not a packed package: ${(err as Error).message}`, { cause: err });
  }
  const name = packageName(json, given);
  files.push([full, TARBALLS, given]);
  return { name, component, tarball: `${TARBALLS}/${component}` };
}

/**
 * The source text of a self-contained function (it must not use variables from outside it).
 * @example
 * ```ts
 * shipFunction(function square(coro: unknown, x: number) { return x * x; }); // { name: 'square', source: 'function square(...' }
 * ```
 */
export function shipFunction(fn: (...args: any[]) => unknown): ShippedFunction {
  const source = Function.prototype.toString.call(fn);
  if (source.includes('[native code]')) throw new InvalidArgumentError(`${fn.name || 'a function'} is native and cannot be shipped`);
  // A method shorthand (`f(x) { ... }`) is not an expression: make it one.
  const expression = /^(async\s+)?(function\b|\(|[\w$]+\s*=>|class\b)/.test(source) ? source : `function ${source.replace(/^async\s+/, '')}`;
  const isAsync = /^async\s/.test(source) && !expression.startsWith('async');
  return { name: fn.name, source: isAsync ? `async ${expression}` : expression };
}

/**
 * Resolves the components: InvalidArgumentError for a path that does not exist or a value that
 * is neither a path nor a function.
 * @example
 * ```ts
 * const { files, modules, sources } = resolveComponents(['./work.js', './data/', function square(_coro: unknown, x: number) { return x * x; }]);
 * ```
 */
export function resolveComponents(components: readonly Component[]): ResolvedComponents {
  if (!Array.isArray(components)) throw new InvalidArgumentError('components must be an array of paths, functions and { package } components');
  const files: Array<[string, string, string]> = [];
  const modules: string[] = [];
  const sources: ShippedFunction[] = [];
  const packages: ShippedPackage[] = [];
  for (const c of components) {
    if (typeof c === 'object' && c !== null && 'package' in c) {
      const p = resolvePackage(c.package, files);
      if (packages.some((q) => q.name === p.name)) throw new InvalidArgumentError(`two package components are both ${p.name}`);
      packages.push(p);
      continue;
    }
    if (typeof c === 'function') {
      const shipped = shipFunction(c);
      if (shipped.name === '') throw new InvalidArgumentError('a shipped function needs a name (jobs name it)');
      sources.push(shipped);
      continue;
    }
    if (typeof c !== 'string' || c.length === 0) throw new InvalidArgumentError(`a component must be a path or a function, got ${typeof c}`);
    let st;
    try {
      st = statSync(c);
    } catch {
      throw new InvalidArgumentError(`component ${c} does not exist`);
    }
    if (st.isDirectory()) {
      const base = path.basename(path.resolve(c));
      if (base === PACKAGES_DIR) throw new InvalidArgumentError(`component ${c}: a computation's ${PACKAGES_DIR} holds its packages (ship each as { package: path })`);
      const inner: Array<[string, string, string]> = [];
      walk(path.resolve(c), base, c, inner);
      files.push(...inner);
      const index = inner.find(([full, rel]) => rel === base && /^index\.m?js$/.test(path.basename(full)));
      if (index !== undefined) modules.push(path.posix.join(base, path.basename(index[0])));
    } else {
      files.push([path.resolve(c), '', c]);
      if (MODULE.test(c)) modules.push(path.basename(c));
    }
  }
  const names = new Set<string>();
  for (const [full, rel] of files) {
    const key = path.posix.join(rel, path.basename(full));
    if (names.has(key)) throw new InvalidArgumentError(`two components would both be ${key} on the nodes`);
    names.add(key);
  }
  return { files, modules, sources, packages };
}

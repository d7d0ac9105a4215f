/**
 * The packages a computation's jobs may import, made ready in its folder before anything of it is
 * imported. Node resolves a bare `import 'x'` of a component from the `node_modules` folders above
 * the component, the computation folder's first; the node fills that one with, in this order
 * (the first to take a name keeps it):
 * 1. the packages the computation shipped (folders shipped in place, tarballs extracted here,
 *    bounded by `maxPackageSize`);
 * 2. `asyncoro`: a package whose modules are the node's own, so that a job's `import 'asyncoro'`
 *    gets the very runtime its server runs (the same classes, the same scheduler);
 * 3. links to the packages of the node's `--modules` folders (their own dependencies resolve
 *    from where they are installed);
 * 4. `pino`, linked from the node's installation.
 * @module
 */
import { lstat, mkdir, readdir, readFile, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import { TIMED_OUT, within } from '../../../runtime/within.js';
import { extractTarball } from '../../../transports/io/tarball.js';
import { ComponentError } from '../../actorErrors.js';
import { PACKAGES_DIR, type ShippedPackage } from '../shippedPackages.js';

/**
 * Where a node finds the packages it offers to jobs.
 * @example
 * ```ts
 * const source: PackageSource = { nodeName: 'node-a', modules: ['/srv/discoro-deps/node_modules'], maxPackageSize: 2 ** 28 };
 * ```
 */
export interface PackageSource {
  nodeName: string;
  /** `node_modules` folders of the node's `--modules`, first wins. */
  modules: readonly string[];
  /** The most a shipped tarball may unpack to (bytes). */
  maxPackageSize: number;
}

/** The node's own installation: its index module and package.json (the same layout in dist/ and lib/). */
const OWN_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OWN_PACKAGE_JSON = fileURLToPath(new URL('../../../../package.json', import.meta.url));

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(() => true, () => false);
}

/** A package `asyncoro` that re-exports the node's own modules. */
async function ownAsyncoro(nodeModules: string): Promise<void> {
  const dir = path.join(nodeModules, 'asyncoro');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const version = await readFile(OWN_PACKAGE_JSON, 'utf8').then((t) => String((JSON.parse(t) as { version?: unknown }).version ?? '0.0.0'), () => '0.0.0');
  const manifest = { name: 'asyncoro', version, type: 'module', exports: { '.': './index.js', './extend': './extend.js', './package.json': './package.json' } };
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const entry of ['index', 'extend']) {
    const target = pathToFileURL(path.join(OWN_ROOT, `${entry}.js`)).href;
    await writeFile(path.join(dir, `${entry}.js`), `// The discoronode's own asyncoro: jobs share their server's runtime.\nexport * from ${JSON.stringify(target)};\n`);
  }
}

/** Links `name` to `target` unless the computation has a package of that name already. */
async function linkIfAbsent(nodeModules: string, name: string, target: string): Promise<void> {
  const link = path.join(nodeModules, name);
  if (await exists(link)) return;
  await mkdir(path.dirname(link), { recursive: true });
  await symlink(target, link, 'dir');
}

/** The package names a `node_modules` folder holds (`@scope/name` for scoped ones); dot entries aside. */
async function packagesIn(folder: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(folder).catch(() => [] as string[])) {
    if (entry.startsWith('.')) continue;
    if (!entry.startsWith('@')) names.push(entry);
    else for (const inner of await readdir(path.join(folder, entry)).catch(() => [] as string[])) if (!inner.startsWith('.')) names.push(`${entry}/${inner}`);
  }
  return names;
}

/** The folder of the node's own `pino`. */
function ownPino(): string {
  return path.dirname(createRequire(import.meta.url).resolve('pino/package.json'));
}

/**
 * Makes the packages of a computation ready in `folder` (see the module's text). ComponentError
 * naming the package, its component and the node when a shipped one cannot be installed.
 * @example
 * ```ts
 * const source: PackageSource = { nodeName: 'node-a', modules: [], maxPackageSize: 2 ** 28 };
 * await preparePackages('/tmp/node-a/c-1', [{ name: 'left-pad', component: 'left-pad-1.3.0.tgz', tarball: 'node_modules/.tarballs/left-pad-1.3.0.tgz' }], source);
 * ```
 */
export async function preparePackages(folder: string, packages: readonly ShippedPackage[], source: PackageSource): Promise<void> {
  const nodeModules = path.join(folder, PACKAGES_DIR);
  await mkdir(nodeModules, { recursive: true });
  for (const p of packages) {
    const where = `package ${p.name} (component ${p.component}) could not be installed at node ${source.nodeName}`;
    try {
      if (p.tarball === undefined) {
        if (!(await exists(path.join(nodeModules, p.name, 'package.json')))) throw new Error('its folder, with its package.json, did not arrive');
        continue;
      }
      const tarball = path.join(folder, p.tarball);
      await extractTarball(tarball, path.join(nodeModules, p.name), { maxBytes: source.maxPackageSize });
      await rm(tarball, { force: true });
    } catch (err) {
      throw new ComponentError(`${where}: ${(err as Error).message}`, { cause: err });
    }
  }
  // The folders the tarballs came in go too, when nothing else is in them.
  for (const p of packages) if (p.tarball !== undefined) await rmdir(path.dirname(path.join(folder, p.tarball))).catch(() => undefined);
  await ownAsyncoro(nodeModules);
  for (const modules of source.modules) for (const name of await packagesIn(modules)) await linkIfAbsent(nodeModules, name, path.join(modules, name));
  await linkIfAbsent(nodeModules, 'pino', ownPino());
}

/**
 * preparePackages within `timeout` ms: the ComponentError that stopped it (naming the node), or
 * undefined once the packages are ready.
 * @example
 * ```ts
 * const failure = await packagesReady(sched, '/tmp/node-a/c-1', [], { nodeName: 'node-a', modules: [], maxPackageSize: 2 ** 28 }, 30_000);
 * ```
 */
export async function packagesReady(sched: Scheduler, folder: string, packages: readonly ShippedPackage[], source: PackageSource, timeout: number): Promise<ComponentError | undefined> {
  const what = `the packages of computation ${path.basename(folder)}`;
  try {
    const ready = await within(sched, preparePackages(folder, packages, source), { timeout });
    return ready === TIMED_OUT ? new ComponentError(`${what} were not ready at node ${source.nodeName} within ${timeout} ms`) : undefined;
  } catch (err) {
    return ComponentError.is(err) ? (err as ComponentError) : new ComponentError(`${what} could not be made ready at node ${source.nodeName}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The packages a computation ships for its jobs, as its client, its nodes and the manifest between
 * them (protocol.ts) name them: where they go in the computation's folder and which names may be
 * shipped.
 * @module
 */

/**
 * A package a computation ships for its jobs (a component `{ package: path }`): a folder, shipped
 * into `node_modules/<name>` of the computation folder, or a packed tarball, shipped to `tarball`
 * and extracted there by the node. Its jobs (and their components) import it by name.
 * @example
 * ```ts
 * const pkg: ShippedPackage = { name: 'left-pad', component: 'left-pad-1.3.0.tgz', tarball: 'node_modules/.tarballs/left-pad-1.3.0.tgz' };
 * ```
 */
export interface ShippedPackage {
  /** Its npm name (`left-pad`, `@scope/name`): what `import` names. */
  name: string;
  /** The component as the client named it (the folder's or tarball's file name), for errors. */
  component: string;
  /** Where the tarball is, below the computation folder; absent for a folder (shipped in place). */
  tarball?: string;
}

/** Where a computation's packages go, below its folder (the folder jobs resolve bare imports from). */
export const PACKAGES_DIR = 'node_modules';

const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/**
 * Whether `name` is a valid npm package name (`left-pad`, `@scope/name`; at most 214 characters),
 * which also keeps `node_modules/<name>` inside its folder; `asyncoro` is the node's own, never shipped.
 * @example
 * ```ts
 * isShippablePackageName('@acme/jobs'); // true; '../x', 'asyncoro': false
 * ```
 */
export function isShippablePackageName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 214 && PACKAGE_NAME.test(name) && name !== 'asyncoro';
}

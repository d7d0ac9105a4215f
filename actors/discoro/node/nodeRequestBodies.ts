/**
 * The bodies of the requests a discoronode serves, checked before anything acts on them: a
 * computation id, `discoro-reserve` and `discoro-setup` (a manifest whose modules stay inside the
 * computation folder). A malformed body is InvalidArgumentError (ComponentError for a module path
 * that leaves the folder), which the client gets as the request's error.
 * @example
 * ```ts
 * const { id, want, zombiePeriod } = reserveBody(['c-1f2e', 2, 60_000]);
 * ```
 * @module
 */
import path from 'node:path';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { ComponentError } from '../../actorErrors.js';
import type { ComputationManifest } from '../protocol.js';
import { isShippablePackageName } from '../shippedPackages.js';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A computation id: 1 to 64 letters, digits, `_` or `-` (it names a folder).
 * @example
 * ```ts
 * computationId('c-1f2e'); // 'c-1f2e'
 * ```
 */
export function computationId(id: unknown): string {
  if (typeof id !== 'string' || !ID.test(id)) throw new InvalidArgumentError('malformed computation id');
  return id;
}

/** The longest computation name a node keeps. */
const NAME_CHARS = 100;

/**
 * `[computationId, cpusWanted, zombiePeriod | null, name?]`; without a name (a client of an
 * earlier version), the computation is named after its id.
 * @example
 * ```ts
 * reserveBody(['c-1', -1, null, 'frames']); // { id: 'c-1', want: -1, zombiePeriod: null, name: 'frames' }
 * ```
 */
export function reserveBody(body: unknown): { id: string; want: number; zombiePeriod: number | null; name: string } {
  if (!Array.isArray(body) || body.length < 3 || body.length > 4) throw new InvalidArgumentError('malformed discoro-reserve request');
  const id = computationId(body[0]);
  const [, want, zombie, name] = body as [string, unknown, unknown, unknown];
  if (typeof want !== 'number' || !Number.isInteger(want)) throw new InvalidArgumentError('cpus wanted must be an integer');
  if (zombie !== null && (typeof zombie !== 'number' || !(zombie > 0))) throw new InvalidArgumentError('zombie period must be a positive number of ms');
  if (name !== undefined && (typeof name !== 'string' || name.length > NAME_CHARS)) throw new InvalidArgumentError(`a computation's name must be a text of at most ${NAME_CHARS} characters`);
  // Control characters would forge lines in a log or the terminal.
  const clean = name === undefined ? '' : name.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return { id, want, zombiePeriod: zombie as number | null, name: clean === '' ? id : clean };
}

/**
 * `[computationId, ComputationManifest]`.
 * @example
 * ```ts
 * const { id, manifest } = setupBody(['c-1', { modules: ['work.mjs'], sources: [] }]);
 * ```
 */
export function setupBody(body: unknown): { id: string; manifest: ComputationManifest } {
  if (!Array.isArray(body) || body.length !== 2 || typeof body[1] !== 'object' || body[1] === null) throw new InvalidArgumentError('malformed discoro-setup request');
  const id = computationId(body[0]);
  const m = body[1] as ComputationManifest;
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!strings(m.modules) || !Array.isArray(m.sources)) throw new InvalidArgumentError('malformed computation manifest');
  const inside = (rel: string): boolean => !path.isAbsolute(rel) && !rel.split(/[\\/]/).includes('..') && !rel.includes('\0');
  for (const rel of m.modules) if (!inside(rel)) throw new ComponentError(`component path ${rel} is not inside the computation folder`);
  if (m.packages !== undefined) {
    if (!Array.isArray(m.packages) || m.packages.length > 1000) throw new InvalidArgumentError('malformed computation manifest (packages)');
    const names = new Set<string>();
    for (const p of m.packages as unknown[]) {
      const { name, component, tarball } = (p ?? {}) as Record<string, unknown>;
      if (typeof component !== 'string' || component.length > 400 || (tarball !== undefined && typeof tarball !== 'string')) throw new InvalidArgumentError('malformed computation manifest (a package)');
      if (!isShippablePackageName(name)) throw new ComponentError(`package component ${component.slice(0, 100)}: ${JSON.stringify(String(name).slice(0, 100))} is not a package name a computation may ship`);
      if (names.has(name)) throw new ComponentError(`two package components are both ${name}`);
      names.add(name);
      if (typeof tarball === 'string' && !inside(tarball)) throw new ComponentError(`package component ${component.slice(0, 100)}: its tarball is not inside the computation folder`);
    }
  }
  return { id, manifest: m };
}

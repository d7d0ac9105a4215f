/**
 * Node allocation rules of a computation (asyncoro's DiscoroNodeAllocate): which nodes to use
 * and how many of their CPUs.
 * @module
 */
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import type { NodeInfo } from '../protocol.js';

/**
 * One rule. `node` is a host, `host:port`, node name, or a pattern with `*`; `platform` a
 * case-insensitive regular expression matched against the node's platform (`linux-x64`).
 * `cpus`: undefined = all, 0 = do not use the node, n > 0 = at most n, n < 0 = all but n.
 * @example
 * ```ts
 * const rules: NodeAllocation[] = [{ node: '10.0.0.*', cpus: 2 }, { platform: 'win', cpus: 0 }];
 * ```
 */
export interface NodeAllocation {
  node?: string;
  platform?: string;
  cpus?: number;
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
}

/**
 * Checks the rules; InvalidArgumentError for a malformed one.
 * @example
 * ```ts
 * checkAllocations([{ node: '127.0.0.1', cpus: 1 }]);
 * ```
 */
export function checkAllocations(rules: unknown): NodeAllocation[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) throw new InvalidArgumentError('nodeAllocations must be an array');
  for (const r of rules) {
    if (typeof r !== 'object' || r === null) throw new InvalidArgumentError('a node allocation must be an object');
    const { node, platform, cpus } = r as NodeAllocation;
    if (node !== undefined && typeof node !== 'string') throw new InvalidArgumentError('allocation node must be a string');
    if (platform !== undefined) {
      if (typeof platform !== 'string') throw new InvalidArgumentError('allocation platform must be a string');
      try {
        new RegExp(platform, 'i');
      } catch (err) {
        throw new InvalidArgumentError(`allocation platform is not a regular expression: ${(err as Error).message}`);
      }
    }
    if (cpus !== undefined && !Number.isInteger(cpus)) throw new InvalidArgumentError('allocation cpus must be an integer');
  }
  return rules as NodeAllocation[];
}

/**
 * CPUs to ask of `node` under `rules` (the first matching rule decides; none matching: all);
 * 0 means do not use it. Negative values are passed on (the node leaves that many unused).
 * @example
 * ```ts
 * allocate([{ node: '127.0.0.1', cpus: 1 }], obj); // at most 1
 * ```
 */
export function allocate(rules: readonly NodeAllocation[], node: NodeInfo): number {
  const host = node.location.replace(/:\d+$/, '');
  for (const r of rules) {
    if (r.node !== undefined && ![host, node.location, node.name].some((v) => glob(r.node!).test(v))) continue;
    if (r.platform !== undefined && !new RegExp(r.platform, 'i').test(node.platform)) continue;
    if (r.cpus === undefined) return node.cpus;
    return r.cpus > 0 ? Math.min(r.cpus, node.cpus) : r.cpus < 0 ? (node.cpus + r.cpus > 0 ? r.cpus : 0) : 0;
  }
  return node.cpus;
}

/**
 * The slow steps of a computation's nodes, each run as a short coroutine of its own that reports
 * what happened to the computation's coroutine (which alone changes the nodes' state): probing a
 * node and reserving its slots, shipping the components and starting its servers, connecting to a
 * replacement server, and a held server's setup. Each step's requests are made on behalf of its
 * coroutine, so terminating the coroutine (the computation closes) ends them at once.
 * @module
 */
import path from 'node:path';
import type { Coro } from '../../../runtime/Coro.js';
import type { Peer } from '../../../transports/net/Peer.js';
import type { Network } from '../../remote/Network.js';
import { Rci } from '../../remote/Rci.js';
import { ComponentError } from '../../actorErrors.js';
import { NodeRequests, setupRciName, type ComputationManifest, type NodeInfo, type ServerInfo } from '../protocol.js';
import type { ComputationCore as Computation } from './computationTypes.js';
import { allocate } from './nodeAllocation.js';
import { shipFunction } from './components.js';

/**
 * A node of a computation, as the computation's coroutine keeps it.
 * @example
 * ```ts
 * const state: NodeState = { phase: 'probing' };
 * ```
 */
export interface NodeState {
  info?: NodeInfo;
  phase: 'probing' | 'waiting' | 'held' | 'setting-up' | 'ready' | 'failed' | 'closed';
  error?: Error;
  setupArgs?: unknown[];
  /** The zombie period the node granted (at most the one asked for). */
  zombiePeriod?: number;
}

/**
 * What a step reports.
 * @example
 * ```ts
 * const r: FlowResult = { kind: 'initialized', node: '127.0.0.1:9706', servers: 2 };
 * ```
 */
export type FlowResult =
  | { kind: 'discovered'; node: string; info: NodeInfo }
  /** A discovered peer that is not a discoronode. */
  | { kind: 'not-a-node'; node: string }
  /** Its allocation is 0 CPUs: not used. */
  | { kind: 'skipped'; node: string }
  /** `zombiePeriod`: what the node granted (undefined from a node that does not say). */
  | { kind: 'reserved'; node: string; granted: boolean; position: number; zombiePeriod: number | undefined }
  | { kind: 'server'; node: string; server: ServerInfo; peer: Peer }
  | { kind: 'initialized'; node: string; servers: number }
  | { kind: 'failed'; node: string; error: Error }
  | { kind: 'server-enabled'; location: string }
  | { kind: 'server-setup-failed'; location: string; error: Error };

type Report = (r: FlowResult) => void;

function ref(fn: unknown): { name: string; source?: string } {
  return typeof fn === 'function' ? shipFunction(fn as () => unknown) : { name: String(fn) };
}

function manifest(comp: Computation, setupArgs: unknown[] | undefined): ComputationManifest {
  const o = comp.options;
  const c = comp.components;
  return {
    modules: c.modules,
    sources: c.sources,
    ...(c.packages.length > 0 ? { packages: c.packages } : {}),
    ...(o.serverSetup !== undefined ? { serverSetup: { fn: ref(o.serverSetup.fn), args: o.serverSetup.args ?? [] } } : {}),
    ...(o.disableServers === true ? { setupOnEnable: true } : {}),
    ...(o.nodeSetup !== undefined ? { nodeSetup: { fn: ref(o.nodeSetup.fn), args: setupArgs ?? o.nodeSetup.args ?? [] } } : {}),
  };
}

/**
 * Connects to a node, asks what it is, and reserves its slots (or a place in its queue).
 * @example
 * ```ts
 * await probeNode(coro, (r) => log(r.kind), obj, net, '127.0.0.1:9706', true);
 * ```
 */
export async function probeNode(self: Coro<unknown>, report: Report, comp: Computation, net: Network, node: string, given: boolean): Promise<void> {
  const timeout = net.requestTimeout;
  let info: NodeInfo;
  try {
    await net.peer(node, { timeout, coro: self });
    info = (await net.request(node, NodeRequests.info, [], { timeout, coro: self })) as NodeInfo;
  } catch (error) {
    return report(given ? { kind: 'failed', node, error: error as Error } : { kind: 'not-a-node', node });
  }
  report({ kind: 'discovered', node, info });
  const want = allocate(comp.options.nodeAllocations ?? [], info);
  if (want === 0) return report({ kind: 'skipped', node });
  try {
    // The node's dashboard and logs call the computation by its name (as the client's own view does).
    const c = comp.components;
    const name = (comp.options.name ?? [...c.modules, ...c.sources.map((s) => s.name)].join(', ')).slice(0, 100);
    const answer = (await net.request(node, NodeRequests.reserve, [comp.id, want, comp.zombiePeriod, name], { timeout, coro: self })) as { granted?: number; queued?: number; zombiePeriod?: unknown };
    const granted = answer?.zombiePeriod;
    const zombiePeriod = typeof granted === 'number' && granted > 0 && granted < comp.zombiePeriod ? granted : undefined;
    report({ kind: 'reserved', node, granted: typeof answer?.granted === 'number', position: answer?.queued ?? 0, zombiePeriod });
  } catch (error) {
    report({ kind: 'failed', node, error: error as Error });
  }
}

/**
 * Ships the components to a node whose slots are reserved, has it start the servers, and connects
 * to each of them.
 * @example
 * ```ts
 * await setupNode(coro, (r) => log(r.kind), obj, net, '127.0.0.1:9706', undefined);
 * ```
 */
export async function setupNode(self: Coro<unknown>, report: Report, comp: Computation, net: Network, node: string, setupArgs: unknown[] | undefined, name?: string): Promise<void> {
  const timeout = comp.options.setupTimeout ?? 30_000;
  try {
    for (const [file, rel, component] of comp.components.files) {
      await net.sendFile(node, file, { dir: rel === '' ? comp.id : `${comp.id}/${rel}`, overwrite: true, timeout, coro: self }).catch((err: Error) => {
        const what = component === file || path.resolve(component) === file ? `component ${component}` : `component ${component} (its file ${path.relative(path.resolve(component), file)})`;
        throw new ComponentError(`${what} could not be shipped to node ${name ?? node} at ${node}: ${err.message}`, { cause: err });
      });
    }
    const servers = (await net.request(node, NodeRequests.setup, [comp.id, manifest(comp, setupArgs)], { timeout, coro: self })) as ServerInfo[];
    const peers = await Promise.all(servers.map((s) => net.peer(s.location, { timeout: net.requestTimeout, coro: self })));
    servers.forEach((server, k) => report({ kind: 'server', node, server, peer: peers[k]! }));
    report({ kind: 'initialized', node, servers: servers.length });
  } catch (error) {
    report({ kind: 'failed', node, error: error as Error });
  }
}

/**
 * Connects to a server that replaced a lost one (the node's `server-up`).
 * @example
 * ```ts
 * await connectServer(coro, (r) => log(r.kind), net, '127.0.0.1:9706', { location: '127.0.0.1:9707', node: '127.0.0.1:9706', pid: 4242, index: 1 });
 * ```
 */
export async function connectServer(self: Coro<unknown>, report: Report, net: Network, node: string, server: ServerInfo): Promise<void> {
  try {
    const peer = await net.peer(server.location, { timeout: net.requestTimeout, coro: self });
    report({ kind: 'server', node, server, peer });
  } catch {
    // Lost again before it could be used: its node reports that too.
  }
}

/**
 * Runs the server setup of a server held by `disableServers` (through its setup RCI).
 * @example
 * ```ts
 * await enableServerFlow(coro, (r) => log(r.kind), obj, '127.0.0.1:9707', ['part-1.csv']);
 * ```
 */
export async function enableServerFlow(self: Coro<unknown>, report: Report, comp: Computation, location: string, setupArgs: unknown[] | undefined): Promise<void> {
  try {
    const setup = await Rci.locate(setupRciName(comp.id), { scheduler: comp.scheduler, location, timeout: comp.net!.requestTimeout });
    if (setup === undefined) throw new Error(`server ${location} has no setup RCI`);
    await (await setup.callWith({ coro: self }, setupArgs ?? null)).finish({ coro: self });
    report({ kind: 'server-enabled', location });
  } catch (error) {
    report({ kind: 'server-setup-failed', location, error: error as Error });
  }
}

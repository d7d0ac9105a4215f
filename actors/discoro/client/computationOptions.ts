/**
 * A Computation's options, checked once: what is wrong is an InvalidArgumentError naming it,
 * before anything happens; the secret is taken out of the options it keeps (the copy a user, a
 * log line or a dashboard may see), to be held where nothing prints it.
 * @module
 */
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { Location } from '../../../transports/net/Location.js';
import { resolveComponents, type ResolvedComponents } from './components.js';
import type { ComputationOptions } from './computationTypes.js';
import { checkAllocations } from './nodeAllocation.js';
import { PREFETCH_BELOW_MS } from './ServerPool.js';

/**
 * What a Computation keeps of its options.
 * @example
 * ```ts
 * const r: ResolvedComputationOptions = resolveComputationOptions({ components: ['./work.js'] });
 * ```
 */
export interface ResolvedComputationOptions {
  /** The options as given, without the secret (also none in `network`). */
  options: Readonly<ComputationOptions>;
  secret: NonNullable<ComputationOptions['network']>['secret'];
  components: ResolvedComponents;
  scheduler: Scheduler;
  pulseInterval: number;
  zombiePeriod: number;
  sendAheadBelow: number;
}

/**
 * Checks a Computation's options (InvalidArgumentError) and takes the secret out of them.
 * @example
 * ```ts
 * const { options, pulseInterval } = resolveComputationOptions({ components: ['./work.js'], secret: 's' });
 * ```
 */
export function resolveComputationOptions(given: ComputationOptions): ResolvedComputationOptions {
  if (typeof given !== 'object' || given === null) throw new InvalidArgumentError('Computation needs options with components');
  const components = resolveComponents(given.components);
  checkAllocations(given.nodeAllocations);
  const pulseInterval = given.pulseInterval ?? 10_000;
  if (typeof pulseInterval !== 'number' || !(pulseInterval > 0)) throw new InvalidArgumentError('pulseInterval must be a positive number of ms');
  const zombiePeriod = given.zombiePeriod ?? pulseInterval * 10;
  if (typeof zombiePeriod !== 'number' || !(zombiePeriod > pulseInterval)) throw new InvalidArgumentError('zombiePeriod must be more than pulseInterval');
  if (given.status !== undefined && (typeof given.status !== 'object' || typeof given.status?.send !== 'function')) throw new InvalidArgumentError('status must be a coroutine (or have send)');
  for (const n of given.nodes ?? []) Location.parse(n as string);
  const sendAheadBelow = given.sendAheadBelow ?? PREFETCH_BELOW_MS;
  if (typeof sendAheadBelow !== 'number' || !(sendAheadBelow >= 0)) throw new InvalidArgumentError('sendAheadBelow must be a non-negative number of ms');
  const { secret, network, ...rest } = given;
  if (secret !== undefined && typeof secret !== 'string' && (typeof secret !== 'object' || secret === null)) throw new InvalidArgumentError('secret must be a string (or what network.secret takes)');
  let options: Readonly<ComputationOptions> = rest;
  if (network !== undefined) {
    const { secret: _, ...networkRest } = network;
    options = { ...rest, network: networkRest };
  }
  return { options, secret: secret ?? network?.secret, components, scheduler: given.scheduler ?? Scheduler.default(), pulseInterval, zombiePeriod, sendAheadBelow };
}

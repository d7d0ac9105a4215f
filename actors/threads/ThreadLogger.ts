/**
 * A worker thread's logger: it forwards each record over a MessagePort to its owner, whose
 * logger writes it (by default to stderr, as every crash report and warning), so a thread never
 * loads pino (~15 ms of its start) and the owner's logger (yours, when you gave the owner's
 * scheduler one) receives what its threads log, at their levels, with their bindings (each
 * thread's records carry `thread: <name>`). Secrets are redacted in the thread, before a record
 * crosses; a record is turned into plain data there (errors as `{ type, message, stack, code,
 * cause }`, as pino writes them), so whatever it held crosses. The owner's side is
 * `forwardThreadLogs`.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import { redactSecrets, type Logger } from '../../runtime/logging.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
type LevelName = keyof typeof LEVELS;
type LogMethod = { (fields: unknown, msg?: string, ...args: unknown[]): void; (msg: string, ...args: unknown[]): void };

/**
 * One record as it crosses from a thread to its owner.
 * @example
 * ```ts
 * const record: ThreadLogRecord = { level: 'warn', bindings: { thread: 'thread-1.ab12cd34' }, fields: { count: 3 }, error: false, msg: 'dead letters', args: [] };
 * ```
 */
export interface ThreadLogRecord {
  level: Exclude<LevelName, 'silent'>;
  bindings: Record<string, unknown>;
  fields: Record<string, unknown>;
  /** `fields.err` is an error in plain form (`{ type, message, stack, cause, ...its fields }`), rebuilt for pino's error serializer. */
  error: boolean;
  msg: string | undefined;
  args: unknown[];
}

/** Deeper than this, a logged object is cut (as redaction cuts it). */
const MAX_DEPTH = 64;

/**
 * The logger of a thread's scheduler: pino's logging calls (`trace` to `fatal` with pino's
 * arguments: fields then message and its `%s` arguments, an error as the fields, or a message
 * alone), `child(bindings)`, `bindings()`, `level` (settable), `levelVal` and `isLevelEnabled`;
 * each record enabled at its level is posted to the owner.
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * forwardThreadLogs(port1, sched.logger);
 * const logger = new ThreadLogger(port2, 'info').child({ thread: 'thread-1' });
 * logger.warn({ count: 3 }, 'dead letters'); // written by sched.logger with thread: 'thread-1'
 * ```
 */
export class ThreadLogger {
  private threshold: number;
  private levelName: LevelName;
  readonly trace: LogMethod = (...a: unknown[]) => this.write('trace', a);
  readonly debug: LogMethod = (...a: unknown[]) => this.write('debug', a);
  readonly info: LogMethod = (...a: unknown[]) => this.write('info', a);
  readonly warn: LogMethod = (...a: unknown[]) => this.write('warn', a);
  readonly error: LogMethod = (...a: unknown[]) => this.write('error', a);
  readonly fatal: LogMethod = (...a: unknown[]) => this.write('fatal', a);

  /** `level`: a pino level name (`silent` to `trace`); InvalidArgumentError otherwise. */
  constructor(
    private readonly port: MessagePort,
    level: string,
    private readonly bound: Record<string, unknown> = {},
  ) {
    this.levelName = checkLevel(level);
    this.threshold = LEVELS[this.levelName];
  }

  get level(): string {
    return this.levelName;
  }

  set level(level: string) {
    this.levelName = checkLevel(level);
    this.threshold = LEVELS[this.levelName];
  }

  get levelVal(): number {
    return this.threshold;
  }

  isLevelEnabled(level: string): boolean {
    return Object.hasOwn(LEVELS, level) && level !== 'silent' && LEVELS[level as LevelName] >= this.threshold;
  }

  /** A logger adding `bindings` to every record (at this one's level, which it can change alone). */
  child(bindings: Record<string, unknown>): ThreadLogger {
    if (bindings === null || typeof bindings !== 'object') throw new InvalidArgumentError('child bindings must be an object');
    return new ThreadLogger(this.port, this.levelName, { ...this.bound, ...plainOf(redactSecrets(bindings)) });
  }

  bindings(): Record<string, unknown> {
    return { ...this.bound };
  }

  /** Nothing is buffered here: each record is posted as it is logged. */
  flush(callback?: (err?: Error) => void): void {
    callback?.();
  }

  /** As the pino Logger the Scheduler takes (it implements what asyncoro and coroutines use of it). */
  asLogger(): Logger {
    return this as unknown as Logger;
  }

  private write(level: Exclude<LevelName, 'silent'>, a: unknown[]): void {
    if (LEVELS[level] < this.threshold) return;
    let [first, ...rest] = a;
    let fields: Record<string, unknown> = {};
    if (first instanceof Error) {
      fields = { err: first };
      if (typeof rest[0] !== 'string') rest = [first.message];
    } else if (first !== null && typeof first === 'object') fields = first as Record<string, unknown>;
    else rest = first === undefined ? rest : [first, ...rest];
    const [msg, ...args] = rest;
    const record: ThreadLogRecord = {
      level,
      bindings: this.bound,
      fields: plainOf(redactSecrets(fields)) as Record<string, unknown>,
      error: fields.err instanceof Error,
      msg: msg === undefined ? undefined : String(msg),
      args: args.map((v) => plainOf(v)),
    };
    try {
      this.port.postMessage(record);
    } catch {
      // the owner's side has closed (the group stopped): nobody is left to write it
    }
  }
}

function checkLevel(level: unknown): LevelName {
  if (typeof level !== 'string' || !Object.hasOwn(LEVELS, level)) throw new InvalidArgumentError(`unknown log level ${JSON.stringify(level)}`);
  return level as LevelName;
}

/** `value` as plain data that survives a structured clone and serialises as pino would write it. */
function plainOf(value: unknown, depth = 0, path = new Set<object>()): any {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (path.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) return errorOf(value, depth, path);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return plainOf((toJSON as () => unknown).call(value), depth, path);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  path.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => plainOf(v, depth + 1, path) ?? null);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = plainOf(v, depth + 1, path);
      if (p !== undefined) out[k] = p;
    }
    return out;
  } finally {
    path.delete(value);
  }
}

/** An error as pino's serializer writes it: type, message, stack, its own fields, its cause. */
function errorOf(err: Error, depth: number, path: Set<object>): Record<string, unknown> {
  path.add(err);
  try {
    const out: Record<string, unknown> = { type: err.constructor?.name ?? err.name, message: err.message, stack: err.stack };
    for (const [k, v] of Object.entries(err)) {
      const p = plainOf(v, depth + 1, path);
      if (p !== undefined) out[k] = p;
    }
    if (err.cause !== undefined) out.cause = plainOf(err.cause, depth + 1, path);
    return out;
  } finally {
    path.delete(err);
  }
}

/** Keeps at most this many child loggers of the owner's (one per distinct set of bindings), and error classes (one per type). */
const MAX_CHILDREN = 64;
const MAX_ERROR_CLASSES = 64;

/**
 * An error in plain form made an error again, of a class named as its type, so that the owner's
 * pino writes it as the thread's would have (its type, its message and stack with their causes,
 * its fields).
 */
function errorFrom(plain: unknown, classes: Map<string, new () => Error>, depth = 0): unknown {
  if (plain === null || typeof plain !== 'object' || typeof (plain as { message?: unknown }).message !== 'string' || depth > 4) return plain;
  const { type, message, stack, cause, ...own } = plain as Record<string, unknown>;
  const name = typeof type === 'string' && type.length > 0 && type.length <= 100 ? type : 'Error';
  let cls = classes.get(name);
  if (cls === undefined) {
    if (classes.size >= MAX_ERROR_CLASSES) classes.clear();
    classes.set(name, (cls = { [name]: class extends Error {} }[name]!));
  }
  const err = Object.create(cls.prototype) as Error;
  const hidden = (value: unknown): PropertyDescriptor => ({ value, writable: true, configurable: true, enumerable: false });
  Object.defineProperties(err, { message: hidden(message), stack: hidden(stack) });
  if (cause !== undefined) Object.defineProperty(err, 'cause', hidden(errorFrom(cause, classes, depth + 1)));
  return Object.assign(err, own);
}

/**
 * The owner's side: every record a thread posts on `port` is written by `logger` (a child of it
 * with the record's bindings), at the record's level; records of unknown shape are dropped. The
 * port does not keep the process alive and ends with the thread.
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * forwardThreadLogs(port1, sched.logger); // port2 goes to the thread, for its ThreadLogger
 * ```
 */
export function forwardThreadLogs(port: MessagePort, logger: Logger): void {
  const children = new Map<string, Logger>();
  const errorClasses = new Map<string, new () => Error>();
  port.on('message', (r: ThreadLogRecord) => {
    if (r === null || typeof r !== 'object' || typeof r.level !== 'string' || r.level === ('silent' as string) || !Object.hasOwn(LEVELS, r.level)) return;
    const key = JSON.stringify(r.bindings ?? {});
    let target = children.get(key);
    if (target === undefined) {
      if (children.size >= MAX_CHILDREN) children.clear();
      children.set(key, (target = key === '{}' ? logger : logger.child(r.bindings)));
    }
    const args = Array.isArray(r.args) ? r.args : [];
    const fields = r.fields !== null && typeof r.fields === 'object' ? r.fields : {};
    if (r.error === true) fields.err = errorFrom(fields.err, errorClasses);
    (target[r.level] as (fields: object, msg?: string, ...args: unknown[]) => void)(fields, r.msg, ...args);
  });
  port.unref();
}

/**
 * Logging through pino. By default every scheduler shares one logger that writes to stderr:
 * crash reports of coroutines nobody monitors, and warnings (abandoned locks, dead letters,
 * refused peers), as one line each — a readable line on a terminal, JSON otherwise. The level
 * comes from `ASYNCORO_LOG` (`silent`, `error`, `warn` (default), `info`, `debug`); a logger
 * passed by the user replaces the default. Nothing bypasses this logger. Secrets are
 * redacted at any depth (a key naming a secret, a token, a password, ...), and repeated events
 * (dead letters) are throttled to one summary line per interval.
 * @module
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';

export type { Logger } from 'pino';

type Pino = (options: LoggerOptions, destination?: DestinationStream) => Logger;
let pinoModule: Pino | undefined;

/**
 * pino, loaded on first use rather than at import: a process (or worker thread) that never makes
 * a pino logger never loads its ~30 CommonJS files (a thread forwards its records to its owner).
 * pino is CommonJS, so this `require` is the very module an `import` of it gets.
 */
function pino(options: LoggerOptions, destination?: DestinationStream): Logger {
  pinoModule ??= (createRequire(import.meta.url)('pino') as { pino: Pino }).pino;
  return pinoModule(options, destination);
}

/**
 * The levels `ASYNCORO_LOG` accepts.
 * @example
 * ```ts
 * const quiet: LogLevel = 'error';
 * ```
 */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';
const LEVELS: ReadonlySet<string> = new Set<LogLevel>(['silent', 'error', 'warn', 'info', 'debug']);

/**
 * Paths for pino's own `redact` option, two levels deep (a logger of yours can use them; asyncoro's
 * loggers redact at any depth with `redactSecrets`, which yours can use too).
 * @example
 * ```ts
 * const logger = pino({ redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } });
 * ```
 */
export const REDACT_PATHS: readonly string[] = ['secret', 'token', 'password', '*.secret', '*.token', '*.password', 'options.secret', '*.options.secret'];

/** Keys whose values are never logged, at any depth. */
const SENSITIVE_KEY = /secret|token|password|passphrase|authorization|cookie|private_?key/i;
const CENSORED = '[redacted]';
/** Deeper than this, a logged object is cut (JSON of such depth is no log line). */
const MAX_REDACT_DEPTH = 64;

/**
 * A log object with the value of every key that names a secret (`secret`, `token`, `password`,
 * `passphrase`, `authorization`, `cookie`, `privateKey`, in any case and within longer names such
 * as `DISCORO_SECRET`) replaced by `[redacted]`, at any depth, through `toJSON` as
 * serialisation would go. Nothing is copied when nothing needs redacting; the argument is never
 * changed. asyncoro's loggers use it; pass it to your own pino as `formatters.log`.
 * @example
 * ```ts
 * const logger = pino({ formatters: { log: redactSecrets } });
 * logger.info({ job: { env: { API_TOKEN: 'x' } } }); // {"job":{"env":{"API_TOKEN":"[redacted]"}}}
 * ```
 */
export function redactSecrets(object: Record<string, unknown>): Record<string, unknown> {
  return redacted(object, 0, new Set()) as Record<string, unknown>;
}

function redacted(value: unknown, depth: number, path: Set<object>): unknown {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (path.has(value)) return value; // a cycle: serialisation shows it as such
  if (depth >= MAX_REDACT_DEPTH) return '[too deep]';
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function' && !(value instanceof Date)) {
    const shown = (toJSON as () => unknown).call(value);
    const out = redacted(shown, depth, path);
    return out === shown ? value : out;
  }
  path.add(value);
  try {
    let copy: Record<string, unknown> | unknown[] | undefined;
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    for (const [key, v] of entries) {
      const out = typeof key === 'string' && SENSITIVE_KEY.test(key) && v !== undefined ? CENSORED : redacted(v, depth + 1, path);
      if (out === v) continue;
      copy ??= copyOf(value);
      (copy as Record<string | number, unknown>)[key] = out;
    }
    return copy ?? value;
  } finally {
    path.delete(value);
  }
}

/**
 * A child logger's bindings are written as pino serialised them when the child was made, past any
 * formatter: in the written line, the string value of a key naming a secret is replaced too.
 * (A key in JSON text is a quoted string with no unescaped quote inside; a value that merely
 * contains such text has its quotes escaped, so it never matches.)
 */
const SENSITIVE_STRING_ENTRY = /"([^"\\]*(?:secret|token|password|passphrase|authorization|cookie|private_?key)[^"\\]*)":"(?:[^"\\]|\\.)*"/gi;

function redactLine(line: string): string {
  return line.replace(SENSITIVE_STRING_ENTRY, `"$1":"${CENSORED}"`);
}

/** A shallow copy that serialises as the original (an error keeps its class, message and stack). */
function copyOf(value: object): Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return [...value];
  const copy = Object.assign(Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>, value);
  if (value instanceof Error) Object.assign(copy, { message: value.message, stack: value.stack });
  return copy;
}

/**
 * The level named by `ASYNCORO_LOG` in `env`, or `warn` when it is unset or unknown.
 * @example
 * ```ts
 * logLevelFromEnv({ ASYNCORO_LOG: 'debug' }); // 'debug'
 * ```
 */
export function logLevelFromEnv(env: Record<string, string | undefined> = process.env): LogLevel {
  const level = env.ASYNCORO_LOG?.trim().toLowerCase();
  return level !== undefined && LEVELS.has(level) ? (level as LogLevel) : 'warn';
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * One JSON log line as a readable line: time, level, message, then the other fields (an error as
 * `type: message`), then the stack of each error field, causes included, on the lines below.
 * @example
 * ```ts
 * prettyLine('{"level":40,"time":0,"msg":"dead letters","count":3}'); // '00:00:00.000 WARN  dead letters count=3'
 * ```
 */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const { level, time, msg, pid: _pid, hostname: _host, ...rest } = entry;
  const clock = new Date(typeof time === 'number' ? time : Date.now()).toISOString().slice(11, 23);
  const stacks: string[] = [];
  const fields = Object.entries(rest).map(([key, value]) => {
    if (value !== null && typeof value === 'object' && 'message' in value) {
      const err = value as { type?: string; message?: string; stack?: unknown };
      // The first line of a stack repeats `type: message`; the frames and the causes follow it.
      if (typeof err.stack === 'string' && err.stack.includes('\n')) stacks.push(err.stack.slice(err.stack.indexOf('\n')));
      return `${key}=${err.type ?? 'Error'}: ${err.message}`;
    }
    return `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
  });
  return [clock, (LEVEL_NAMES[level as number] ?? String(level)).padEnd(5), String(msg ?? ''), ...fields].join(' ') + stacks.join('');
}

/** Writes each line to stderr synchronously, so a crash report is out before the process exits. */
function stderrDestination(pretty: boolean): DestinationStream {
  return {
    write(line: string): void {
      try {
        writeSync(2, pretty ? `${prettyLine(line)}\n` : line);
      } catch {
        // stderr closed: nothing else to tell
      }
    },
  };
}

/**
 * A pino logger like the default one: to stderr (or `destination`), at `level` (default from
 * `ASYNCORO_LOG`), readable lines when `pretty` (default: stderr is a terminal), secrets redacted at any depth.
 * @example
 * ```ts
 * const logger = createLogger({ level: 'info' });
 * ```
 */
export function createLogger(options: { level?: LogLevel; pretty?: boolean; destination?: DestinationStream } = {}): Logger {
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  return pino(
    { level: options.level ?? logLevelFromEnv(), base: undefined, formatters: { log: redactSecrets }, hooks: { streamWrite: redactLine } },
    options.destination ?? stderrDestination(pretty),
  );
}

let shared: Logger | undefined;

/**
 * The logger schedulers use unless given one: created on first use, shared by the process.
 * @example
 * ```ts
 * defaultLogger().warn('visible on stderr at the default level');
 * ```
 */
export function defaultLogger(): Logger {
  return (shared ??= createLogger());
}

/**
 * A pino logger that drops everything.
 * @example
 * ```ts
 * const sched = new Scheduler({ logger: silentLogger() });
 * ```
 */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Counts events and logs at most one line per interval with the count since the last line.
 * @example
 * ```ts
 * const t = new LogThrottle(1000); if (t.hit()) sched.logger.warn({ dropped: t.take() }, 'dead letters');
 * ```
 */
export class LogThrottle {
  private count = 0;
  private last = -Infinity;

  constructor(private readonly intervalMs: number) {}

  /** Records one event; true when a line should be logged now. */
  hit(): boolean {
    this.count++;
    const now = performance.now();
    if (now - this.last < this.intervalMs) return false;
    this.last = now;
    return true;
  }

  /** Returns the events counted since the last logged line and resets the count. */
  take(): number {
    const n = this.count;
    this.count = 0;
    return n;
  }
}

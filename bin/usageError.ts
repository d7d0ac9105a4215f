/** A usage error of a command: printed with the usage on stderr, exit code 2. */
export class UsageError extends Error {}

/** A mistake in the command line or in what it names: one line on stderr, exit status 2. */
export class UsageError extends Error {}

/**
 * Errors the `genio` command reports to a person and turns into an exit status, instead of a
 * stack trace: the message alone must say what to fix.
 */

/** Something the operator asked for cannot be done (unknown ente, duplicate code…): exit 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * One or more options are missing or malformed: exit 2, like other Unix tools. It carries every
 * bad option at once, each line naming its option, so one run shows all there is to fix.
 */
export class UsageError extends CliError {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `invalid options:\n  ${problems.join('\n  ')}`, 2);
    this.name = 'UsageError';
  }
}

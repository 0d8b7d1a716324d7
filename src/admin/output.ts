/**
 * Where admin commands write. Commands take an Output instead of touching process.stdout so that
 * they can be called from tests and from other front ends, and so that results (stdout) stay
 * apart from warnings (stderr): a script can then read a created key from stdout alone.
 */
export interface Output {
  /** One line of result, on stdout. */
  line(text?: string): void;
  /** One line of warning or progress, on stderr. */
  warn(text: string): void;
}

/** The process's own streams, for the CLI. */
export const processOutput: Output = {
  line: (text = '') => void process.stdout.write(`${text}\n`),
  warn: (text) => void process.stderr.write(`${text}\n`),
};


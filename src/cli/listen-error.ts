/** Turns "address in use" into a message that names the variable or option to change. */
import { CliError } from '../admin/errors.ts';

export function listenError(err: unknown, setting: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new CliError(`port ${port} is already in use: choose another with ${setting}`);
  if (code === 'EACCES') return new CliError(`not allowed to listen on port ${port}: choose another with ${setting}`);
  if (code === 'EADDRNOTAVAIL') return new CliError(`cannot listen on that address: check the host setting next to ${setting}`);
  return err;
}

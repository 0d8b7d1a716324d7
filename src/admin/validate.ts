/**
 * Checks of admin command options. Each checker records a problem naming the option and returns
 * undefined, so a command checks everything first and then reports all problems in one
 * UsageError: an operator fixing a long command line should not have to run it five times.
 */
import { checkOrganizationFiscalCode } from '../domain/organization-fiscal-code.ts';
import { checkFiscalCode } from '../domain/fiscal-code.ts';
import { checkCallbackUrl } from '../domain/callback-url.ts';
import { AMOUNT_MAX } from '../domain/limits.ts';
import { SANDBOX_ACCOUNT } from '../store/io-accounts.ts';
import { UsageError } from './errors.ts';

/** Service codes appear in API payloads and URLs: short, lower case, no spaces. */
export const SERVICE_CODE = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * IO subscription keys are 32 hex characters in practice; any 16–128 visible ASCII characters
 * are accepted so that a future key format does not need a new GeNIO, while a truncated paste
 * or a stray space is still caught.
 */
const IO_KEY = /^[\x21-\x7e]{16,128}$/;

/** IO service ids are ULIDs today; older ones are other short identifiers. */
const IO_SERVICE_ID = /^[\x21-\x7e]{1,128}$/;

/** IO account names are ours (the unit of IO's rate limit): keep them simple. */
const IO_ACCOUNT = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const NAME_MAX = 200;

export class OptionChecker {
  readonly problems: string[] = [];

  problem(option: string, message: string): undefined {
    this.problems.push(`${option}: ${message}`);
    return undefined;
  }

  /** Throws a UsageError listing every problem found so far. */
  done(): void {
    if (this.problems.length) throw new UsageError(this.problems);
  }

  required(option: string, raw: string | undefined, what: string): string | undefined {
    const v = raw?.trim();
    if (!v) return this.problem(option, `is required (${what})`);
    return v;
  }

  /** A human-readable name: one line, at most 200 characters. */
  name(option: string, raw: string | undefined): string | undefined {
    const v = this.required(option, raw, 'a name');
    if (v === undefined) return undefined;
    if (/[\u0000-\u001f\u007f]/.test(v)) return this.problem(option, 'must be a single line of text without control characters');
    if (v.length > NAME_MAX) return this.problem(option, `must be at most ${NAME_MAX} characters (got ${v.length})`);
    return v;
  }

  /** An ente's 11-digit fiscal code with its check digit verified, so a typo cannot create a second ente. */
  enteFiscalCode(option: string, raw: string | undefined): string | undefined {
    const v = this.required(option, raw, "the ente's 11-digit fiscal code");
    if (v === undefined) return undefined;
    const check = checkOrganizationFiscalCode(v);
    return check.ok ? check.value : this.problem(option, check.message);
  }

  /** A person's fiscal code (`TINIT-` prefix accepted, as identity providers send it), checked. */
  personFiscalCode(option: string, raw: string | undefined): string | undefined {
    const v = this.required(option, raw, "the person's fiscal code");
    if (v === undefined) return undefined;
    const check = checkFiscalCode(v.replace(/^TINIT-/i, ''));
    return check.ok ? check.value : this.problem(option, check.message);
  }

  oneOf<T extends string>(option: string, raw: string | undefined, allowed: readonly T[], def: T): T | undefined {
    if (raw === undefined) return def;
    const v = raw.trim() as T;
    return allowed.includes(v) ? v : this.problem(option, `must be one of ${allowed.join(', ')} (got "${raw}")`);
  }

  serviceCode(option: string, raw: string | undefined): string | undefined {
    const v = this.required(option, raw, 'a short code such as tari');
    if (v === undefined) return undefined;
    return SERVICE_CODE.test(v) ? v : this.problem(option, `must be 1–40 lower-case letters, digits or dashes, starting with a letter or digit (got "${v}")`);
  }

  ioServiceId(option: string, raw: string | undefined): string | undefined {
    const v = this.required(option, raw, 'the service id IO assigned');
    if (v === undefined) return undefined;
    return IO_SERVICE_ID.test(v) ? v : this.problem(option, 'must be 1–128 visible characters without spaces');
  }

  /** Never echoes the value: it is a secret. */
  ioKey(option: string, raw: string | undefined): string | undefined {
    const v = this.required(option, raw, 'an IO subscription key');
    if (v === undefined) return undefined;
    return IO_KEY.test(v) ? v : this.problem(option, `must be 16–128 visible characters without spaces (got ${v.length} characters); IO keys are 32 hexadecimal characters`);
  }

  ioAccount(option: string, raw: string): string | undefined {
    const v = raw.trim();
    if (!IO_ACCOUNT.test(v)) return this.problem(option, `must be 1–64 lower-case letters, digits, dots, dashes or underscores (got "${raw}")`);
    if (v === SANDBOX_ACCOUNT) return this.problem(option, `"${SANDBOX_ACCOUNT}" is reserved for sandbox keys`);
    return v;
  }

  /** Euro cents, as IO's max_allowed_payment_amount. */
  cents(option: string, raw: string | undefined, def: number): number | undefined {
    if (raw === undefined) return def;
    const v = raw.trim();
    if (!/^[0-9]+$/.test(v) || Number(v) > AMOUNT_MAX) return this.problem(option, `must be a whole number of euro cents from 0 to ${AMOUNT_MAX} (got "${raw}")`);
    return Number(v);
  }

  /** Where GeNIO will POST status changes: the rule of src/domain/callback-url.ts. */
  httpUrl(option: string, raw: string | undefined): string | undefined {
    if (raw === undefined) return undefined;
    const check = checkCallbackUrl(raw);
    return check.ok ? check.value : this.problem(option, check.message);
  }

  /** `a,b , c` → [a, b, c], each a well-formed service code. */
  serviceCodes(option: string, raw: string | undefined): string[] | undefined {
    if (raw === undefined) return undefined;
    const codes = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
    if (!codes.length) return this.problem(option, 'must list at least one service code, comma-separated');
    const bad = codes.filter((c) => !SERVICE_CODE.test(c));
    if (bad.length) return this.problem(option, `not service codes: ${bad.join(', ')}`);
    return codes;
  }
}

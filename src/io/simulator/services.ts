/**
 * Services and their subscription keys. At IO the key alone identifies the sending service and,
 * through its APIM user, the account whose rate limit and permission groups apply (FACTS.md §1).
 * Primary and secondary keys are equivalent; regenerating one invalidates only that one (§12.1),
 * which `refuse` simulates.
 */
import { monotonicFactory } from 'ulid';
import type { SimService } from './types.ts';

export type KeyLookup = { kind: 'ok'; service: SimService } | { kind: 'missing' } | { kind: 'invalid' };

/** Account that auto-provisioned services belong to (sandbox / `npm start`). */
export const SANDBOX_ACCOUNT = 'sandbox';

export class ServiceRegistry {
  private readonly byId = new Map<string, SimService>();
  private readonly byKey = new Map<string, SimService>();
  private readonly refused = new Set<string>();
  private readonly newId = monotonicFactory();

  add(input: SimService): void {
    checkService(input);
    const s: SimService = { ...input };
    for (const key of [s.primaryKey, s.secondaryKey]) {
      const owner = this.byKey.get(key);
      if (owner && owner.serviceId !== s.serviceId) throw new Error(`IO simulator: key already used by service ${owner.serviceId}`);
    }
    const old = this.byId.get(s.serviceId);
    if (old) {
      this.byKey.delete(old.primaryKey);
      this.byKey.delete(old.secondaryKey);
    }
    this.byId.set(s.serviceId, s);
    this.byKey.set(s.primaryKey, s);
    this.byKey.set(s.secondaryKey, s);
    // Registering a key explicitly makes it valid again.
    this.refused.delete(s.primaryKey);
    this.refused.delete(s.secondaryKey);
  }

  refuse(key: string): void {
    this.refused.add(key);
  }

  /** Resolves the `Ocp-Apim-Subscription-Key` header; `autoProvision` turns unknown keys into sandbox services. */
  lookup(key: string | undefined, autoProvision: boolean): KeyLookup {
    if (key === undefined || key === '') return { kind: 'missing' };
    if (this.refused.has(key)) return { kind: 'invalid' };
    const found = this.byKey.get(key);
    if (found) return { kind: 'ok', service: found };
    if (!autoProvision) return { kind: 'invalid' };
    // IO service ids are server-generated ULIDs (FACTS.md §8); IO's default max payment is 0.
    const service: SimService = { serviceId: this.newId(), account: SANDBOX_ACCOUNT, primaryKey: key, secondaryKey: `${key}#secondary` };
    this.add(service);
    return { kind: 'ok', service };
  }

  get(serviceId: string): SimService | undefined {
    return this.byId.get(serviceId);
  }
}

function checkService(s: SimService): void {
  for (const field of ['serviceId', 'account', 'primaryKey', 'secondaryKey'] as const) {
    if (typeof s[field] !== 'string' || s[field] === '') throw new Error(`IO simulator: service.${field} must be a non-empty string`);
  }
}

/**
 * Citizens as IO sees them: no profile, global inbox disabled, or profile that blocked some
 * services (FACTS.md §4 sender_allowed, §5 REJECTED reasons). Unknown CFs take a default state.
 */
import type { CitizenState } from './types.ts';

export type RejectionReason = 'USER_NOT_FOUND' | 'SERVICE_NOT_ALLOWED';

interface Citizen {
  state: CitizenState;
  /** Only for `blocked`: the blocked services; absent = every service is blocked. */
  blocked?: Set<string>;
}

export class CitizenRegistry {
  private readonly citizens = new Map<string, Citizen>();

  constructor(public defaultState: CitizenState = 'active') {}

  set(fiscalCode: string, state: CitizenState, blockedServiceIds?: string[]): void {
    if (!['active', 'not_found', 'inbox_disabled', 'blocked'].includes(state)) throw new Error(`IO simulator: unknown citizen state ${String(state)}`);
    const citizen: Citizen = { state };
    if (state === 'blocked' && blockedServiceIds && blockedServiceIds.length > 0) citizen.blocked = new Set(blockedServiceIds);
    this.citizens.set(fiscalCode, citizen);
  }

  /** getProfile: 404 when there is no profile or the inbox is disabled (`isInboxEnabled !== true`). */
  hasProfile(fiscalCode: string): boolean {
    const state = this.get(fiscalCode).state;
    return state !== 'not_found' && state !== 'inbox_disabled';
  }

  /** `sender_allowed` for a citizen that has a profile. */
  senderAllowed(fiscalCode: string, serviceId: string): boolean {
    const c = this.get(fiscalCode);
    return !(c.state === 'blocked' && (!c.blocked || c.blocked.has(serviceId)));
  }

  /** Why processing a message to this citizen from this service would be REJECTED, if it would. */
  rejection(fiscalCode: string, serviceId: string): RejectionReason | undefined {
    const state = this.get(fiscalCode).state;
    if (state === 'not_found') return 'USER_NOT_FOUND';
    if (state === 'inbox_disabled' || !this.senderAllowed(fiscalCode, serviceId)) return 'SERVICE_NOT_ALLOWED';
    return undefined;
  }

  private get(fiscalCode: string): Citizen {
    return this.citizens.get(fiscalCode) ?? { state: this.defaultState };
  }
}

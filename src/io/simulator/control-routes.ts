/**
 * Control API under `/__sim/`, for a simulator running in another process (`genio io-sim`).
 * These are NOT IO paths: no subscription key, no rate limit, no fault injection, not recorded.
 * It lets anyone reconfigure the simulator, so it is for local use only: never expose it.
 */
import { type Reply, json } from './responses.ts';
import type { CitizenState, IoSimulator, RecordedRequest, SimService, SimulatorOptions } from './types.ts';

export const CONTROL_PREFIX = '/__sim/';

/** The simulator operations the control API drives. */
export interface ControlTarget extends Omit<IoSimulator, 'url' | 'listen' | 'close' | 'requests'> {
  requests(limit?: number): RecordedRequest[];
}

/** Default number of recorded requests returned by `GET /__sim/requests`. */
const DEFAULT_REQUESTS_LIMIT = 1000;

export function handleControl(sim: ControlTarget, method: string | undefined, pathname: string, search: URLSearchParams, body: unknown): Reply {
  const route = `${method} ${pathname.slice(CONTROL_PREFIX.length - 1)}`;
  try {
    switch (route) {
      case 'POST /services':
        sim.addService(asRecord(body) as unknown as SimService);
        return json(201, { ok: true });
      case 'POST /citizens': {
        const b = asRecord(body);
        if (typeof b.fiscal_code !== 'string') throw new Error('fiscal_code must be a string');
        const blocked = b.blocked_service_ids;
        if (blocked !== undefined && !(Array.isArray(blocked) && blocked.every((x) => typeof x === 'string'))) throw new Error('blocked_service_ids must be an array of strings');
        sim.setCitizen(b.fiscal_code, b.state as CitizenState, blocked as string[] | undefined);
        return json(200, { ok: true });
      }
      case 'POST /refuse-key': {
        const b = asRecord(body);
        if (typeof b.key !== 'string' || b.key === '') throw new Error('key must be a non-empty string');
        sim.refuseKey(b.key);
        return json(200, { ok: true });
      }
      case 'POST /configure': {
        const patch = asRecord(body) as Partial<SimulatorOptions>;
        if ('random' in patch) throw new Error('random cannot be set over HTTP');
        sim.configure(patch);
        return json(200, { ok: true });
      }
      case 'GET /stats':
        return json(200, sim.stats());
      case 'GET /requests': {
        const limitText = search.get('limit');
        const limit = limitText === null ? DEFAULT_REQUESTS_LIMIT : Number(limitText);
        if (!Number.isInteger(limit) || limit < 0) throw new Error('limit must be an integer >= 0');
        return json(200, sim.requests(limit));
      }
      case 'POST /reset':
        sim.reset();
        return json(200, { ok: true });
      default:
        return json(404, { error: `unknown control route ${route}` });
    }
  } catch (err) {
    return json(400, { error: err instanceof Error ? err.message : String(err) });
  }
}

function asRecord(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('body must be a JSON object');
  return body as Record<string, unknown>;
}

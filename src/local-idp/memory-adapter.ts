import type { Adapter, AdapterPayload } from 'oidc-provider';

/** Models whose entries die with their grant (what `revokeByGrantId` must find). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/** Sweep expired entries every this many writes, so a long `npm start` does not grow forever. */
const SWEEP_EVERY = 500;

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * In-memory storage for one local IdP: everything is lost on restart, which is fine for a test
 * provider. It does what oidc-provider's own memory adapter does; we use our own because that one
 * prints a "development-only" warning on every start, and because each IdP gets its own store.
 */
export function memoryAdapter(): (model: string) => Adapter {
  const entries = new Map<string, Entry>();
  const byIndex = new Map<string, string>(); // `uid:…` / `userCode:…` → entry key
  const byGrant = new Map<string, Set<string>>(); // grantId → entry keys
  let writes = 0;

  const live = (key: string | undefined): Entry | undefined => {
    const e = key === undefined ? undefined : entries.get(key);
    if (e && e.expiresAt <= Date.now()) {
      entries.delete(key!);
      return undefined;
    }
    return e;
  };
  const sweep = () => {
    for (const key of entries.keys()) live(key);
    for (const [k, key] of byIndex) if (!entries.has(key)) byIndex.delete(k);
    for (const [g, keys] of byGrant) {
      for (const key of keys) if (!entries.has(key)) keys.delete(key);
      if (keys.size === 0) byGrant.delete(g);
    }
  };

  return (model) => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id);
        entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
        if (model === 'Session' && payload.uid) byIndex.set(`uid:${payload.uid}`, key);
        if (payload.userCode) byIndex.set(`userCode:${payload.userCode}`, key);
        if (GRANTABLE.has(model) && payload.grantId) {
          const keys = byGrant.get(payload.grantId) ?? new Set<string>();
          byGrant.set(payload.grantId, keys.add(key));
        }
        if (++writes % SWEEP_EVERY === 0) sweep();
      },
      async find(id) {
        return live(keyOf(id))?.payload;
      },
      async findByUid(uid) {
        return live(byIndex.get(`uid:${uid}`))?.payload;
      },
      async findByUserCode(userCode) {
        return live(byIndex.get(`userCode:${userCode}`))?.payload;
      },
      async consume(id) {
        const e = live(keyOf(id));
        if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        entries.delete(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of byGrant.get(grantId) ?? []) entries.delete(key);
        byGrant.delete(grantId);
      },
    };
  };
}

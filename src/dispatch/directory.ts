/**
 * What the workers need to know about services and API keys, cached in memory and refreshed
 * from the database every few seconds (a new service or a key switch made by another process
 * is seen within that time). IO keys are decrypted once per refresh, never logged.
 */
import type { Database } from '../store/db.ts';
import { listServices, serviceKeys, switchToSecondaryKey, flagService, type Service } from '../store/services.ts';
import { listApiKeys } from '../store/api-keys.ts';
import { listIoAccounts, type IoAccount } from '../store/io-accounts.ts';
import { decryptSecret } from '../store/secrets.ts';

export interface ServiceEntry {
  service: Service;
  keys: { primary: string; secondary: string };
}

export interface CallbackTarget {
  url: string;
  secret: string;
}

export class Directory {
  private byId = new Map<string, ServiceEntry>();
  private callbacks = new Map<string, CallbackTarget>();
  private accounts: IoAccount[] = [];
  private loadedAt = 0;

  constructor(
    private readonly database: Database,
    private readonly masterKey: Buffer,
    private readonly refreshMs = 5000,
    private readonly clock: () => number = Date.now,
  ) {}

  private refreshing: Promise<void> | null = null;
  private keyIds = new Set<string>();

  /** Reloads when stale (or when forced); callers asking at the same time share one load. */
  async refresh(force = false): Promise<void> {
    if (!force && this.clock() - this.loadedAt < this.refreshMs) return;
    this.refreshing ??= this.load().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const db = this.database.db;
    const [services, keys, accounts] = await Promise.all([listServices(db), listApiKeys(db), listIoAccounts(db)]);
    const next = new Map<string, ServiceEntry>();
    for (const s of services) {
      const prior = this.byId.get(s.id);
      // Keep the decrypted keys when the envelopes did not change: decryption is not free.
      const same = prior && prior.service.primary_key_enc === s.primary_key_enc && prior.service.secondary_key_enc === s.secondary_key_enc;
      next.set(s.id, { service: s, keys: same ? prior.keys : serviceKeys(this.masterKey, s) });
    }
    const cbs = new Map<string, CallbackTarget>();
    this.keyIds = new Set(keys.map((k) => k.id));
    for (const k of keys) {
      if (k.callback_url && k.callback_secret_enc) cbs.set(k.id, { url: k.callback_url, secret: decryptSecret(this.masterKey, k.callback_secret_enc) });
    }
    this.byId = next;
    this.callbacks = cbs;
    this.accounts = accounts;
    this.loadedAt = this.clock();
  }

  async service(id: string): Promise<ServiceEntry | undefined> {
    if (!this.byId.has(id)) await this.refresh(true);
    return this.byId.get(id);
  }

  /**
   * Whether a status change of this key's message should be recorded for a callback: yes when
   * the key has a URL, and also when the key is unknown here (made since the last load): the
   * delivery then looks the key up again and drops the callback if it has no URL.
   */
  mayHaveCallback(apiKeyId: string | null): boolean {
    return apiKeyId !== null && (this.callbacks.has(apiKeyId) || !this.keyIds.has(apiKeyId));
  }

  /** A key unknown here may have been made since the last load (by the CLI, another process): look again first. */
  async callbackFor(apiKeyId: string | null): Promise<CallbackTarget | undefined> {
    if (!apiKeyId) return undefined;
    if (!this.callbacks.has(apiKeyId)) await this.refresh(true);
    return this.callbacks.get(apiKeyId);
  }

  ioAccounts(): IoAccount[] {
    return this.accounts;
  }

  /** IO refused the primary key: switch this service to the secondary key, here and in the database. */
  async useSecondaryKey(serviceId: string, reason: string): Promise<void> {
    const e = this.byId.get(serviceId);
    if (e) e.service = { ...e.service, key_in_use: 'secondary', flagged_reason: reason, flagged_at: this.clock() };
    await switchToSecondaryKey(this.database.db, serviceId, reason, this.clock());
  }

  async flag(serviceId: string, reason: string): Promise<void> {
    const e = this.byId.get(serviceId);
    if (e) e.service = { ...e.service, flagged_reason: reason, flagged_at: this.clock() };
    await flagService(this.database.db, serviceId, reason, this.clock());
  }
}

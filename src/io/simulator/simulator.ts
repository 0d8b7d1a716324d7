/**
 * The IO simulator server: node:http, one request at a time through {@link processIoRequest}, with
 * the control API beside it. Latency is applied to every IO response; calls drawn to time out are
 * held open until the client gives up or the simulator closes.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CitizenRegistry } from './citizens.ts';
import { CONTROL_PREFIX, type ControlTarget, handleControl } from './control-routes.ts';
import type { SimCore } from './core.ts';
import { firstHeader, parseLoose, readBody, send } from './http-io.ts';
import { processIoRequest } from './io-pipeline.ts';
import { MessageStore } from './messages.ts';
import { DEFAULTS, applyOptions } from './options.ts';
import { RequestLog } from './request-log.ts';
import { apimError, type Reply } from './responses.ts';
import { ServiceRegistry } from './services.ts';
import { StatsCollector } from './stats.ts';
import type { CitizenState, IoSimulator, RecordedRequest, SimService, SimulatorOptions, SimulatorStats } from './types.ts';

export class IoSimulatorServer implements IoSimulator, ControlTarget {
  private readonly core: SimCore;
  private readonly stats_ = new StatsCollector();
  private readonly log: RequestLog;
  private readonly server: Server;
  /** Responses drawn to time out, and latency timers: both released on close(). */
  private readonly held = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private baseUrl: string | undefined;

  constructor(opts: SimulatorOptions = {}) {
    const options = applyOptions(DEFAULTS, opts);
    this.core = { options, services: new ServiceRegistry(), citizens: new CitizenRegistry(options.defaultCitizen), messages: new MessageStore() };
    this.log = new RequestLog(options.maxRecordedRequests);
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.keepAliveTimeout = 65_000;
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('IO simulator: call listen() first');
    return this.baseUrl;
  }

  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const { port: actual } = this.server.address() as AddressInfo;
        const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
        this.baseUrl = `http://${shown.includes(':') ? `[${shown}]` : shown}:${actual}`;
        resolve(this.baseUrl);
      });
    });
  }

  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      this.held.clear();
    });
  }

  addService(s: SimService): void {
    this.core.services.add(s);
  }

  setCitizen(fiscalCode: string, state: CitizenState, blockedServiceIds?: string[]): void {
    this.core.citizens.set(fiscalCode, state, blockedServiceIds);
  }

  refuseKey(key: string): void {
    this.core.services.refuse(key);
  }

  configure(patch: Partial<SimulatorOptions>): void {
    const next = applyOptions(this.core.options, patch);
    if (next.maxRecordedRequests !== this.core.options.maxRecordedRequests) this.log.resize(next.maxRecordedRequests);
    this.core.citizens.defaultState = next.defaultCitizen;
    this.core.options = next;
  }

  stats(): SimulatorStats {
    return this.stats_.snapshot(this.core.messages.accepted, this.core.messages.duplicates);
  }

  requests(limit?: number): RecordedRequest[] {
    return this.log.list(limit);
  }

  reset(): void {
    this.core.messages.clear();
    this.stats_.clear();
    this.log.clear();
  }

  /** Internal: why a message ended REJECTED (USER_NOT_FOUND / SERVICE_NOT_ALLOWED); IO does not expose it. */
  rejectionReason(messageId: string): string | undefined {
    return this.core.messages.rejectionReason(messageId);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw: Buffer | 'too-large';
    try {
      raw = await readBody(req);
    } catch {
      return; // the client went away while sending
    }
    try {
      this.dispatch(req, res, raw);
    } catch (err) {
      // A simulator bug must not look like IO behaviour nor crash the process: answer a plain 500.
      send(res, { status: 500, body: { error: `IO simulator internal error: ${err instanceof Error ? err.message : String(err)}` }, contentType: 'application/json' });
    }
  }

  private dispatch(req: IncomingMessage, res: ServerResponse, raw: Buffer | 'too-large'): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const body = raw === 'too-large' ? undefined : parseLoose(raw);
    if (pathname.startsWith(CONTROL_PREFIX)) {
      send(res, handleControl(this, req.method, pathname, new URLSearchParams(q < 0 ? '' : url.slice(q + 1)), body));
      return;
    }
    const entry: RecordedRequest | undefined = this.core.options.recordRequests
      ? { method: req.method ?? '', path: url, headers: req.headers, body, at: Date.now(), status: 0 }
      : undefined;
    if (entry) this.log.add(entry);
    if (raw === 'too-large') {
      this.stats_.countCall(undefined);
      this.answer(res, apimError(413, 'Request entity too large'), undefined, entry);
      return;
    }
    const outcome = processIoRequest(this.core, this.stats_, {
      method: req.method,
      pathname,
      subscriptionKey: firstHeader(req.headers['ocp-apim-subscription-key']),
      contentType: firstHeader(req.headers['content-type']),
      rawBody: raw,
      clientIp: req.socket.remoteAddress,
      entry,
    });
    if (outcome.kind === 'hold') {
      this.stats_.countStatus('timeout');
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    this.answer(res, outcome.reply, outcome.headers, entry);
  }

  private answer(res: ServerResponse, reply: Reply, headers: Record<string, string> | undefined, entry: RecordedRequest | undefined): void {
    this.stats_.countStatus(reply.status);
    if (entry) entry.status = reply.status;
    const latency = this.core.options.latencyMs;
    if (latency <= 0) {
      send(res, reply, headers);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send(res, reply, headers);
    }, latency);
    this.timers.add(timer);
  }
}

import { sql } from 'drizzle-orm';
import type { DeviceStateWrite, EventWrite, IngestStore, StoredCounter } from '../ingest/store-port.js';
import { noDelivery, type RolloutDelivery } from '../rollouts/delivery.js';
import { RolloutService } from '../rollouts/rollout-service.js';
import { AuditLog } from './audit.js';
import { BundleStore } from './bundles.js';
import { ChangeFeed } from './change-feed.js';
import { openDatabase, type Database, type Driver } from './database.js';
import { DeviceQueries } from './device-query.js';
import { DeviceStore, type DeviceIdentity } from './devices.js';
import { EventStore } from './events.js';
import { FleetView } from './fleet.js';
import { FleetTotals } from './fleet-totals.js';
import { KeyStore } from './keys.js';
import { ReplicaSignals } from './replica-signals.js';
import { ReportStore, type Presence } from './reports.js';
import { Scopes } from './scopes.js';
import { SessionStore } from './sessions.js';
import { checkAdminConnection, DEFAULT_SERVICE_ROLE, prepareServiceRole } from './service-role.js';
import { TenantStore } from './tenants.js';
import { TokenStore } from './tokens.js';

export interface StoreOptions {
  /** node-postgres when set; embedded PGlite in `dataDir` otherwise. */
  databaseUrl?: string | undefined;
  /** PGlite's folder (`memory://` for none). */
  dataDir: string;
  /** The non-superuser role tenant queries run as; created unless `serviceRoleGiven`. */
  serviceRole?: string | undefined;
  /** The role already exists (created by a DBA): do not try to create it. */
  serviceRoleGiven?: boolean;
  delivery?: RolloutDelivery;
}

/** The coordinator's store: one object over either driver. */
export class Store implements IngestStore {
  readonly tenants: TenantStore;
  readonly tokens: TokenStore;
  readonly keys: KeyStore;
  readonly devices: DeviceStore;
  readonly events: EventStore;
  readonly bundles: BundleStore;
  readonly rollouts: RolloutService;
  readonly fleet: FleetView;
  /** The dashboard's device table and fleet totals: filtered, sorted and paged in the database. */
  readonly deviceQueries: DeviceQueries;
  readonly totals: FleetTotals;
  readonly reports: ReportStore;
  /** Who did what: written by each action's own transaction, read here in pages. */
  readonly audit: AuditLog;
  /** Dashboard sign-ins, shared by every replica. */
  readonly sessions: SessionStore;
  /** Tenants whose fleet changed, for the dashboard's live stream. */
  readonly changes = new ChangeFeed();
  #signals: ReplicaSignals | null = null;

  constructor(
    private readonly database: Database,
    readonly serviceRole: string,
    delivery: RolloutDelivery,
  ) {
    const scopes = new Scopes(database.db, serviceRole);
    this.tokens = new TokenStore(scopes);
    this.tenants = new TenantStore(scopes, this.tokens);
    this.keys = new KeyStore(scopes);
    this.devices = new DeviceStore(scopes);
    this.events = new EventStore(scopes);
    this.bundles = new BundleStore(scopes);
    this.rollouts = new RolloutService(scopes, delivery);
    this.fleet = new FleetView(scopes);
    this.deviceQueries = new DeviceQueries(scopes);
    this.totals = new FleetTotals(scopes);
    this.reports = new ReportStore(scopes, this.rollouts);
    this.audit = new AuditLog(scopes);
    this.sessions = new SessionStore(scopes);
  }

  get driver(): Driver {
    return this.database.driver;
  }

  /** For tests and tools that must see the database as it is (the RLS catalog check). */
  get db() {
    return this.database.db;
  }

  authenticateDevice(username: string, secret: string): Promise<DeviceIdentity | null> {
    return this.devices.authenticateDevice(username, secret);
  }

  async writeReports(states: DeviceStateWrite[], events: EventWrite[]): Promise<StoredCounter[]> {
    const stored = await this.reports.writeReports(states, events);
    this.changes.changed([...states, ...events].map((write) => write.tenantId));
    return stored;
  }

  async setPresence(updates: Presence[]): Promise<void> {
    await this.reports.setPresence(updates);
    this.changes.changed(updates.map((update) => update.tenantId));
  }

  /** Carries `changes` to and from the other replicas on this PostgreSQL server (NOTIFY/LISTEN on its own connection). */
  async relayChanges(databaseUrl: string): Promise<void> {
    this.#signals = new ReplicaSignals(databaseUrl, this.changes, (channel, payload) => this.database.db.execute(sql`select pg_notify(${channel}, ${payload})`));
    await this.#signals.start();
  }

  async close(): Promise<void> {
    await this.#signals?.close();
    await this.database.close();
  }
}

/** Opens the database, applies migrations and prepares the service role. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const database = openDatabase(options);
  try {
    await database.migrate();
    await checkAdminConnection(database.db);
    const role = options.serviceRole ?? DEFAULT_SERVICE_ROLE;
    await prepareServiceRole(database.db, role, !options.serviceRoleGiven);
    const store = new Store(database, role, options.delivery ?? noDelivery);
    // PGlite is one process: its feed has no other replica to hear from.
    if (options.databaseUrl) await store.relayChanges(options.databaseUrl);
    return store;
  } catch (error) {
    await database.close();
    throw error;
  }
}

import { desc, eq, sql } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import type { VerifiedUpload } from '../bundles/verify-upload.js';
import { COORDINATOR, recordAudit, type Actor } from './audit.js';
import { CoordinatorError, notFound } from './errors.js';
import type { Scopes } from './scopes.js';

export interface BundleSummary {
  id: string;
  sequence: number;
  sha256: string;
  size: number;
  heads: string[];
  revisions: string[];
  /** Key ids (as `coordinator keys list` shows them) whose signatures verified at upload; null if stored before they were kept. */
  signers: string[] | null;
  /** When the bundle stops being accepted; null when it never expires (or was stored before this was kept). */
  expiresAt: string | null;
  createdAt: string;
}

export class BundleStore {
  constructor(private readonly scopes: Scopes) {}

  /** Stores a verified bundle and its revisions; uploading the same bytes again is a no-op. */
  async add(tenantId: string, upload: VerifiedUpload, actor: Actor = COORDINATOR): Promise<BundleSummary & { added: boolean }> {
    const { manifest } = upload;
    return this.scopes.tenant(tenantId, async (tx) => {
      const [inserted] = await tx
        .insert(t.bundles)
        .values({
          tenantId,
          id: manifest.bundleId,
          sequence: manifest.sequence,
          bytes: upload.bytes,
          sha256: upload.sha256,
          heads: manifest.heads,
          signers: upload.signers,
          expiresAt: expiryOf(manifest.expiresAt),
        })
        .onConflictDoNothing()
        .returning({ createdAt: t.bundles.createdAt });
      if (inserted) {
        await tx.insert(t.bundleRevisions).values(
          manifest.revisions.map((r, position) => ({
            tenantId,
            bundleId: manifest.bundleId,
            revisionId: r.id,
            position,
            fingerprint: r.fingerprint,
            schema: r.schema,
          })),
        );
        await recordAudit(tx, tenantId, actor, 'uploaded', `bundle ${manifest.bundleId}`, { sequence: manifest.sequence, sha256: upload.sha256 });
      } else {
        const [existing] = await tx.select({ sha256: t.bundles.sha256 }).from(t.bundles).where(eq(t.bundles.id, manifest.bundleId));
        if (existing?.sha256 !== upload.sha256) {
          throw new CoordinatorError('conflict', `bundle ${manifest.bundleId} already exists with different content`);
        }
      }
      return {
        id: manifest.bundleId,
        sequence: manifest.sequence,
        sha256: upload.sha256,
        size: upload.bytes.byteLength,
        heads: manifest.heads,
        revisions: manifest.revisions.map((r) => r.id),
        signers: upload.signers,
        expiresAt: expiryOf(manifest.expiresAt)?.toISOString() ?? null,
        createdAt: (inserted?.createdAt ?? new Date()).toISOString(),
        added: inserted !== undefined,
      };
    });
  }

  async list(tenantId: string): Promise<BundleSummary[]> {
    return this.scopes.tenant(tenantId, async (tx) => {
      const rows = await tx
        .select({
          id: t.bundles.id,
          sequence: t.bundles.sequence,
          sha256: t.bundles.sha256,
          heads: t.bundles.heads,
          signers: t.bundles.signers,
          expiresAt: t.bundles.expiresAt,
          createdAt: t.bundles.createdAt,
          // Counted in the database, so listing never ships every bundle's bytes.
          size: sql<number>`octet_length(${t.bundles.bytes})::int`,
        })
        .from(t.bundles)
        .orderBy(desc(t.bundles.sequence));
      const revisions = await tx
        .select({ bundleId: t.bundleRevisions.bundleId, revisionId: t.bundleRevisions.revisionId })
        .from(t.bundleRevisions)
        .orderBy(t.bundleRevisions.position);
      return rows.map((row) => ({
        ...row,
        size: Number(row.size),
        revisions: revisions.filter((r) => r.bundleId === row.id).map((r) => r.revisionId),
        expiresAt: row.expiresAt?.toISOString() ?? null,
        createdAt: row.createdAt.toISOString(),
      }));
    });
  }

  async get(tenantId: string, id: string): Promise<BundleSummary> {
    const found = (await this.list(tenantId)).find((b) => b.id === id);
    if (!found) throw notFound(`bundle ${id}`);
    return found;
  }

  /** The signed bytes exactly as uploaded, for delivery. */
  async bytes(tenantId: string, id: string): Promise<Uint8Array> {
    const [row] = await this.scopes.tenant(tenantId, (tx) => tx.select({ bytes: t.bundles.bytes }).from(t.bundles).where(eq(t.bundles.id, id)));
    if (!row) throw notFound(`bundle ${id}`);
    return row.bytes;
  }
}

const expiryOf = (millis: number | null): Date | null => (millis === null ? null : new Date(millis));

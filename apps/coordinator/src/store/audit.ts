import { desc, lt } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import type { Tx } from './database.js';
import type { Scopes } from './scopes.js';

/** Who acts: the operator token's id, or null for the coordinator itself and the admin token. */
export interface Actor {
  tokenId: string | null;
}

/** An action nobody's token did: a rollout pausing itself, a call from inside the coordinator. */
export const COORDINATOR: Actor = { tokenId: null };

export const DEFAULT_AUDIT_PAGE = 50;
export const MAX_AUDIT_PAGE = 500;

export type AuditAction = 'published' | 'paused' | 'resumed' | 'widened' | 'retried' | 'registered' | 'revoked' | 'uploaded';

export interface AuditEntry {
  id: number;
  at: string;
  tokenId: string | null;
  action: AuditAction;
  subject: string;
  detail: Record<string, unknown>;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  /** The `before` that continues after this page; null when there is nothing older. */
  next: number | null;
}

/** Records an action in the transaction that does it (the tenant already set), so both commit or neither does. */
export async function recordAudit(tx: Tx, tenantId: string, actor: Actor, action: AuditAction, subject: string, detail: Record<string, unknown> = {}): Promise<void> {
  await tx.insert(t.auditLog).values({ tenantId, tokenId: actor.tokenId, action, subject, detail });
}

/** A tenant's audit log, newest first, in pages. */
export class AuditLog {
  constructor(private readonly scopes: Scopes) {}

  page(tenantId: string, query: { limit: number; before?: number | undefined }): Promise<AuditPage> {
    return this.scopes.tenant(tenantId, async (tx) => {
      // One row more than asked tells whether an older page exists, without counting.
      const rows = await tx
        .select()
        .from(t.auditLog)
        .where(query.before === undefined ? undefined : lt(t.auditLog.id, query.before))
        .orderBy(desc(t.auditLog.id))
        .limit(query.limit + 1);
      const entries = rows.slice(0, query.limit).map((row) => ({
        id: row.id,
        at: row.at.toISOString(),
        tokenId: row.tokenId,
        action: row.action as AuditAction,
        subject: row.subject,
        detail: row.detail,
      }));
      return { entries, next: rows.length > query.limit ? entries.at(-1)!.id : null };
    });
  }
}

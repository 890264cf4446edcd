import { sql } from 'drizzle-orm';
import { queryRows, SETUP_LOCK, type Db } from './database.js';

export const DEFAULT_SERVICE_ROLE = 'godwit_service';
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkRoleName(name: string): string {
  if (!ROLE_NAME.test(name)) throw new Error(`service role ${JSON.stringify(name)}: use lower-case letters, digits and _`);
  return name;
}

/**
 * Makes sure tenant queries can run as `role`: creates it when it is ours to create (NOLOGIN, so
 * nobody connects as it; the service switches to it with SET ROLE), grants it the coordinator's
 * tables, and refuses to start if it could bypass row-level security.
 */
export async function prepareServiceRole(db: Db, role: string, create: boolean): Promise<void> {
  const id = sql.identifier(checkRoleName(role));
  // Replicas starting together would GRANT at the same moment, and PostgreSQL fails one of them
  // with "tuple concurrently updated": one at a time, under the set-up lock.
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK})`);
    if (create) {
      // Roles are cluster-wide: another database on the server may be creating the same one now.
      await tx.execute(sql`do $$ begin
        create role ${id} nologin nosuperuser nobypassrls;
      exception when duplicate_object or unique_violation then null;
      end $$`);
    }
    const [found] = await queryRows<{ rolsuper: boolean; rolbypassrls: boolean }>(
      tx,
      sql`select rolsuper, rolbypassrls from pg_roles where rolname = ${role}`,
    );
    if (!found) throw new Error(`service role ${role} does not exist`);
    if (found.rolsuper || found.rolbypassrls) {
      throw new Error(`service role ${role} is a superuser or has BYPASSRLS: tenant isolation needs a role without either`);
    }
    await tx.execute(sql`grant usage on schema public to ${id}`);
    await tx.execute(sql`grant select, insert, update, delete on all tables in schema public to ${id}`);
    // Identity columns (audit_log.id) draw from a sequence, which inserts need to use.
    await tx.execute(sql`grant usage on all sequences in schema public to ${id}`);
    // The admin connection switches to the role with SET ROLE, which needs membership.
    const [member] = await queryRows<{ member: boolean }>(tx, sql`select pg_has_role(current_user, ${role}, 'member') as member`);
    if (!member?.member) await tx.execute(sql`grant ${id} to current_user`);
  });
}

/** Admin lookups (tokens, MQTT usernames) cross tenants, so the connecting role must pass RLS. */
export async function checkAdminConnection(db: Db): Promise<void> {
  const [admin] = await queryRows<{ ok: boolean }>(db, sql`select rolsuper or rolbypassrls as ok from pg_roles where rolname = current_user`);
  if (!admin?.ok) {
    throw new Error('the database role the coordinator connects as needs SUPERUSER or BYPASSRLS for its admin lookups (docs/coordinator.md)');
  }
}

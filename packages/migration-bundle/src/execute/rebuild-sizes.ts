import { closeSync, openSync, readSync } from 'node:fs';
import type { Database, Statement } from 'better-sqlite3';
import type { PlannedStatement } from '../plan/plan-types.js';

/** SQLite's own b-trees, which a rebuild's statements write beside the table's (schema, sequence and statistics rows). */
const INTERNAL_BTREES = ['sqlite_schema', 'sqlite_sequence', 'sqlite_stat1', 'sqlite_stat4'];

/** The page that holds SQLite's lock bytes, at 1 GiB: never allocated, but inside the file once it is larger. */
const LOCK_BYTE_OFFSET = 0x40000000;

/** What a rebuild's table occupied, with its indexes and overflow pages, before and right after it. */
export interface RebuildBytes {
  bytesBefore: number;
  bytesAfter: number;
}

/**
 * Sizes a rebuild by the pages its statements allocate and free, in constant time, instead of
 * walking the old and the new b-trees (dbstat), which costs as much as a tenth of the copy itself.
 * Pages held by user b-trees are the file's pages less the free list, an auto-vacuum database's
 * pointer-map pages, the lock-byte page and SQLite's own small b-trees; a rebuild's span changes
 * only its table's b-trees among those. So the old table's bytes are what its DROP frees, and the
 * new table's are what the CREATE and copy add plus what its indexes add after the DROP: the same
 * figures dbstat gives, page for page.
 */
export class RebuildSizes {
  private readonly pageSize: number;
  private readonly pagesPerPointerMap: number | null;
  private readonly internalPages: Statement<string[], { bytes: number }>;
  private span: { start: number; beforeDrop?: number; afterDrop?: number } | null = null;

  constructor(private readonly db: Database) {
    this.pageSize = db.pragma('page_size', { simple: true }) as number;
    const autoVacuum = (db.pragma('auto_vacuum', { simple: true }) as number) !== 0;
    this.pagesPerPointerMap = autoVacuum ? Math.floor((this.pageSize - reservedBytes(db)) / 5) + 1 : null;
    this.internalPages = db.prepare(
      `SELECT coalesce(sum(pgsize), 0) AS bytes FROM dbstat WHERE name IN (${INTERNAL_BTREES.map(() => '?').join(', ')}) AND aggregate = TRUE`,
    );
  }

  /** Before a statement runs. */
  before(statement: PlannedStatement): void {
    if (statement.rebuildStep === 'create-new') this.span = { start: this.userPages() };
    else if (statement.rebuildStep === 'drop-old' && this.span) this.span.beforeDrop = this.userPages();
  }

  /** After a statement ran. */
  after(statement: PlannedStatement): void {
    if (statement.rebuildStep === 'drop-old' && this.span) this.span.afterDrop = this.userPages();
  }

  /** After the rebuild's last statement: its figures. */
  finish(table: string): RebuildBytes {
    const span = this.span;
    this.span = null;
    if (span?.beforeDrop === undefined || span.afterDrop === undefined) throw new Error(`the rebuild of ${table} ended without its CREATE and DROP steps`);
    const end = this.userPages();
    return { bytesBefore: (span.beforeDrop - span.afterDrop) * this.pageSize, bytesAfter: (span.beforeDrop - span.start + end - span.afterDrop) * this.pageSize };
  }

  private userPages(): number {
    const pageCount = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    const internal = this.internalPages.get(...INTERNAL_BTREES)!.bytes / this.pageSize;
    return pageCount - free - this.pointerMapPages(pageCount) - (pageCount >= this.lockBytePage() ? 1 : 0) - internal;
  }

  private lockBytePage(): number {
    return Math.floor(LOCK_BYTE_OFFSET / this.pageSize) + 1;
  }

  /** Pointer-map pages among pages 1..pageCount: page 2 and every `pagesPerPointerMap`-th after it (one lands past the lock-byte page). */
  private pointerMapPages(pageCount: number): number {
    const every = this.pagesPerPointerMap;
    if (every === null || pageCount < 2) return 0;
    const count = Math.floor((pageCount - 2) / every) + 1;
    const last = (count - 1) * every + 2;
    return last === this.lockBytePage() && pageCount === last ? count - 1 : count;
  }
}

/** Bytes reserved at the end of each page (byte 20 of the file header); 0 for a database without a file. */
function reservedBytes(db: Database): number {
  if (db.memory || !db.name) return 0;
  const header = Buffer.alloc(21);
  const fd = openSync(db.name, 'r');
  try {
    return readSync(fd, header, 0, 21, 0) === 21 ? header[20]! : 0;
  } finally {
    closeSync(fd);
  }
}

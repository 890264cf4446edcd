// A plain object (no imports): a migrations folder needs no node_modules of its own.
export default {
  id: 'shop_0001',
  parent: null,
  message: 'create customers, orders and order items',
  up(op) {
    op.createTable('customers', [
      { name: 'id', type: 'INTEGER', primaryKey: true, autoincrement: true },
      { name: 'name', type: 'TEXT', notNull: true },
      { name: 'email', type: 'TEXT', unique: true },
      { name: 'created_at', type: 'INTEGER', notNull: true, default: '(unixepoch())' },
    ]);
    op.createTable('orders', [
      { name: 'id', type: 'INTEGER', primaryKey: true },
      { name: 'customer_id', type: 'INTEGER', notNull: true, references: { table: 'customers', column: 'id', onDelete: 'CASCADE' } },
      { name: 'status', type: 'TEXT', default: "'pending'" },
      { name: 'total_cents', type: 'INTEGER', notNull: true, default: '0' },
      { name: 'updated_at', type: 'INTEGER' },
    ]);
    op.createTable('order_items', [
      { name: 'id', type: 'INTEGER', primaryKey: true },
      { name: 'order_id', type: 'INTEGER', notNull: true, references: { table: 'orders', column: 'id', onDelete: 'CASCADE' } },
      { name: 'sku', type: 'TEXT', notNull: true },
      { name: 'quantity', type: 'INTEGER', notNull: true, default: '1' },
    ]);
    op.createIndex('orders_by_customer', 'orders', ['customer_id', 'id DESC']);
    op.createIndex('order_items_by_order', 'order_items', ['order_id']);
    op.execute(`CREATE TRIGGER orders_touch AFTER UPDATE OF status ON orders
      BEGIN UPDATE orders SET updated_at = unixepoch() WHERE id = NEW.id; END`);
    op.execute(`CREATE VIEW customer_totals AS
      SELECT c.id AS customer_id, c.name, count(o.id) AS orders, coalesce(sum(o.total_cents), 0) AS total_cents
      FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id`);
  },
  down(op) {
    op.execute('DROP VIEW customer_totals');
    op.dropTable('order_items');
    op.dropTable('orders');
    op.dropTable('customers');
  },
};

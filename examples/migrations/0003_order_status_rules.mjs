export default {
  id: 'shop_0003',
  parent: 'shop_0002',
  message: 'orders: status required and limited to known values',
  up(op) {
    op.execute("UPDATE orders SET status = 'pending' WHERE status IS NULL");
    // NOT NULL and a CHECK on an existing column: SQLite's ALTER TABLE cannot do either, so the
    // orders table is rebuilt, with its CASCADE children, index, trigger and view kept intact.
    op.alterColumn('orders', 'status', { notNull: true });
    op.addCheck('orders', 'status_known', "status IN ('pending', 'paid', 'shipped', 'cancelled')");
  },
  down(op) {
    op.dropCheck('orders', 'status_known');
    op.alterColumn('orders', 'status', { notNull: false });
  },
};

export default {
  id: 'shop_0002',
  parent: 'shop_0001',
  message: 'add a phone number to customers',
  up(op) {
    // SQLite adds a nullable column in place: no copy.
    op.addColumn('customers', 'phone', 'TEXT');
  },
  down(op) {
    op.dropColumn('customers', 'phone');
  },
};

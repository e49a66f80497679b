// Prices an order: the sum of its lines. Throws InvalidOrder when there is nothing to price.
export const handler = async (order) => {
  if (!Array.isArray(order.items) || order.items.length === 0) {
    const e = new Error(`Order ${order.orderId} has no items`);
    e.name = 'InvalidOrder';
    throw e;
  }
  const total = order.items.reduce((sum, i) => sum + i.quantity * i.price, 0);
  return { total, currency: order.currency ?? 'EUR', lines: order.items.length };
};

// Checks an order and computes its total. Throws InvalidOrder when it cannot be fulfilled.
export const handler = async (order) => {
  if (!Array.isArray(order.items) || order.items.length === 0) {
    const e = new Error(`Order ${order.orderId} has no items`);
    e.name = 'InvalidOrder';
    throw e;
  }
  const total = order.items.reduce((sum, i) => sum + i.quantity * i.price, 0);
  return { valid: true, itemCount: order.items.length, total };
};

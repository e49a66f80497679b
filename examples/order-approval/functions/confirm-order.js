// Confirms an order: approved by a person (the approval's `by`), or automatically below the threshold.
export const handler = async ({ order }) => ({
  orderId: order.orderId,
  status: 'CONFIRMED',
  total: order.pricing.total,
  currency: order.pricing.currency,
  approvedBy: order.approval?.by ?? 'auto',
  confirmationId: `conf-${order.orderId}`,
});

// Charges a card. The gateway times out on the first attempt of orders whose id ends in "-flaky",
// to show Retry at work ($$.State.RetryCount arrives as `attempt`).
export const handler = async (event) => {
  if (event.orderId.endsWith('-flaky') && event.attempt === 0) {
    const e = new Error('The payment gateway did not answer in time');
    e.name = 'PaymentGatewayTimeout';
    throw e;
  }
  if (event.amount > 10000) {
    const e = new Error(`Amount ${event.amount} exceeds the card limit`);
    e.name = 'PaymentDeclined';
    throw e;
  }
  return { chargeId: `ch_${event.orderId}`, amount: event.amount };
};

// Suggests products for a customer.
export const handler = async ({ customer }) => ({ recommendations: customer.country === 'NL' ? ['bike-bell', 'rain-cape'] : ['umbrella'] });

// A toy risk model: young accounts outside the EU score higher.
export const handler = async ({ customer }) => {
  const years = (Date.UTC(2026, 0, 1) - Date.parse(customer.since)) / (365 * 24 * 3600 * 1000);
  const score = Math.max(0, Math.round(80 - years * 10 - (['NL', 'DE', 'FR'].includes(customer.country) ? 30 : 0)));
  return { risk: score > 60 ? 'high' : 'low', score };
};

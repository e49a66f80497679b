// Reports which SKUs are in stock.
const stock = { 'lamp-1': 12, 'desk-3': 2, 'chair-9': 0 };
export const handler = async ({ skus }) => {
  const missing = skus.filter((s) => !(stock[s] > 0));
  return { allInStock: missing.length === 0, missing };
};

// Normalises one record: trims and capitalises the name, parses the amount.
export const handler = async ({ record, position, threshold }) => {
  const name = String(record.name ?? '').trim().replace(/\b\w/g, (c) => c.toUpperCase());
  const amount = Number(record.amount);
  if (!name) return { id: record.id, position, valid: false, reason: 'missing name' };
  if (!Number.isFinite(amount)) return { id: record.id, position, valid: false, reason: `bad amount '${record.amount}'` };
  return { id: record.id, position, valid: true, name, amount, threshold };
};

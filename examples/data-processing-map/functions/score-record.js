// Scores a clean record: the score is the amount rounded; records above the threshold are flagged.
export const handler = async (r) => ({ score: Math.round(r.amount), flagged: r.amount >= r.threshold });

// Summarises the batch.
export const handler = async ({ batchId, results, total }) => {
  const scored = results.filter((r) => !r.skipped);
  return {
    batchId,
    total,
    processed: scored.length,
    skipped: results.filter((r) => r.skipped).map((r) => ({ id: r.id, reason: r.reason })),
    flagged: scored.filter((r) => r.scoring.flagged).map((r) => r.id),
    totalScore: scored.reduce((s, r) => s + r.scoring.score, 0),
  };
};

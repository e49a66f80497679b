// The container's work in the seed example: here a local process (see stepwise.json).
const batch = process.env.BATCH_ID ?? 'unknown';
console.log(`processing batch ${batch}`);

// @ts-check
// The status vocabulary as Python sends it (the `vocabulary` trait): the views never restate
// which statuses there are, their order, or which count as failed, active or done.

/**
 * @param {import("./types.js").Model} model
 * @returns {import("./types.js").Vocabulary}
 */
export function vocabulary(model) {
  return model.get("vocabulary");
}

/**
 * How many of `counts` are in one of `statuses` (e.g. every failed subjob, frozen or not).
 * @param {Record<string, number>} counts
 * @param {string[]} statuses
 */
export function countIn(counts, statuses) {
  return statuses.reduce((n, status) => n + ((counts || {})[status] || 0), 0);
}

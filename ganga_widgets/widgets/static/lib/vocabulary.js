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

/** @type {WeakMap<object, Record<string, string>>} */
const legends = new WeakMap();

/**
 * Code -> status: how to read the per-subjob grid (the `cells` trait, one code per subjob).
 * @param {import("./types.js").Model} model
 */
export function legend(model) {
  const codes = vocabulary(model).codes;
  let found = legends.get(codes);
  if (!found) {
    found = Object.fromEntries(Object.entries(codes).map(([status, code]) => [code, status]));
    legends.set(codes, found);
  }
  return found;
}

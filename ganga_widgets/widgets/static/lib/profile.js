// @ts-check
// With `window.ganga_widgets_profile = true`, each render and update of a view leaves a User
// Timing entry, "ganga_widgets:<view>:render" or ":update", and a panel may time its own
// work, ":<what>" (DevTools' Performance panel; benchmarks/browser_render.py). Off by
// default: the browser keeps every entry.

/**
 * @typedef {{
 *   render: (start: number) => void,
 *   measure: (what: string, start: number) => void,
 *   wrap: <F extends (...args: any[]) => any>(fn: F) => F,
 * }} Profiler
 */

/**
 * @param {string} view
 * @returns {Profiler}
 */
export function profiler(view) {
  if (!(/** @type {any} */ (globalThis).ganga_widgets_profile)) {
    return { render() {}, measure() {}, wrap: (fn) => fn };
  }
  /** @param {string} what @param {number} start */
  const measure = (what, start) => performance.measure(`ganga_widgets:${view}:${what}`, { start });
  /** @type {number | null} */
  let batch = null;
  return {
    render: (start) => measure("render", start),
    measure,
    // One message from the kernel fires several handlers in one go: one entry for them all.
    wrap: (fn) =>
      /** @type {any} */ (
        /** @param {any[]} args */
        (...args) => {
          if (batch === null) {
            batch = performance.now();
            queueMicrotask(() => {
              measure("update", /** @type {number} */ (batch));
              batch = null;
            });
          }
          return fn(...args);
        }
      ),
  };
}

/**
 * Listen to the model's events with these handlers (each profiled); returns what stops it.
 * @param {import("./types.js").Model} model
 * @param {Record<string, (...args: any[]) => void>} handlers  event name -> handler
 * @param {ReturnType<typeof profiler>} profile
 */
export function listen(model, handlers, profile) {
  const bound = Object.entries(handlers).map(([event, fn]) => ({ event, fn: profile.wrap(fn) }));
  for (const { event, fn } of bound) model.on(event, fn);
  return () => {
    for (const { event, fn } of bound) model.off(event, fn);
  };
}

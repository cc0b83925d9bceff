// @ts-check
// Whether a view is live. A saved copy (a notebook reopened with its widget state saved,
// drawn for a kernel that did not make the widget) never is. A live view stops being so
// when its kernel goes quiet (restarted, stopped, the connection lost): it hears from it at
// least every `beat` seconds (ganga_widgets/widgets/heartbeat.py). Either way the view says
// so, and how to follow the job again, instead of looking live: its panels greyed and inert,
// its clock stopped.
import { h } from "./dom.js";
import { clockTime } from "./format.js";

const MISSED = 3; // beats missed before a view says it is not live

/**
 * Whether the view is a saved copy. Known only where the widget manager names its kernel
 * (JupyterLab, Notebook 7, Voilà); the widget carries the id of the kernel that made it.
 * Elsewhere (marimo, a static page) the view is taken as live.
 * @param {import("./types.js").Model} model
 */
export function savedCopy(model) {
  const madeBy = model.get("kernel");
  const manager = model.widget_manager;
  if (!madeBy || !manager || !("kernel" in manager)) return false;
  return (manager.kernel?.id ?? "") !== madeBy;
}

/**
 * Grey out a saved copy's panels (and make them inert) under a banner that says what it is.
 * @param {import("./types.js").Model} model
 * @param {HTMLElement} root  the view's root, its panels already in it
 * @param {string} what  e.g. "job 12"
 * @param {string} again  the code that follows it again, e.g. "JobWidget(12)"
 */
export function markSaved(model, root, what, again) {
  notLive(root, ` — a saved view of ${what} as of ${clockTime(model.get("clock"))}. Run its cell again, or `, again);
}

/**
 * Watch a live view's kernel: `heard()` on every message from it; past MISSED beats of
 * silence the view says it is not live, and is live again once the kernel is heard again.
 * A widget made before beats existed (no `beat`) is not watched.
 * @param {import("./types.js").Model} model
 * @param {HTMLElement} root
 * @param {() => string} again  the code that follows it again, e.g. "JobWidget(12)"
 */
export function watchLive(model, root, again) {
  const beat = Number(model.get("beat")) || 0;
  let heardAt = Date.now();
  let quietAt = 0; // when the view said it is not live: its clock stops there
  if (beat > 0) root.dataset.live = "true";
  /** @type {HTMLElement | null} */
  let banner = null;

  function check() {
    const quiet = beat > 0 && Date.now() - heardAt > MISSED * beat * 1000;
    if (quiet && !banner) {
      quietAt = Date.now();
      banner = notLive(root, ` — no word from the kernel since ${clockTime(heardAt / 1000)}: it ` +
        `restarted or stopped. Run the cell again, or `, again());
      banner.dataset.reason = "quiet";
    } else if (!quiet && banner) {
      live(root, banner);
      banner = null;
    }
  }
  const timer = beat > 0 ? setInterval(check, 1000) : undefined;

  return {
    heard() {
      heardAt = Date.now();
      if (banner) check();
    },
    /** The browser's time, stopped while the view is not live (seconds). */
    now: () => (banner ? quietAt : Date.now()) / 1000,
    stop: () => clearInterval(timer),
  };
}

/**
 * @param {HTMLElement} root
 * @param {string} text  what follows "Not live"
 * @param {string} again  code to run
 */
function notLive(root, text, again) {
  const banner = h("div", "gw-saved");
  banner.append(h("strong", "", "Not live"), text, h("code", "", again), ", to follow it.");
  for (const child of Array.from(root.children)) {
    /** @type {HTMLElement} */ (child).inert = true;
    child.classList.add("gw-saved-part");
  }
  root.prepend(banner);
  root.dataset.live = "false";
  return banner;
}

/** @param {HTMLElement} root @param {HTMLElement} banner */
function live(root, banner) {
  banner.remove();
  for (const child of Array.from(root.children)) {
    /** @type {HTMLElement} */ (child).inert = false;
    child.classList.remove("gw-saved-part");
  }
  root.dataset.live = "true";
}

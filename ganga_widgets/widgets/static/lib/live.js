// @ts-check
// A saved copy: a notebook reopened with its widget state saved, drawn for a kernel that did
// not make the widget. Nothing in it will change and no button can act, so it says so, and
// how to follow the job again, instead of looking live.
import { h } from "./dom.js";
import { clockTime } from "./format.js";

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
  const banner = h("div", "gw-saved");
  banner.append(
    h("strong", "", "Not live"),
    ` — a saved view of ${what} as of ${clockTime(model.get("clock"))}. Run its cell again, or `,
    h("code", "", again),
    ", to follow it.",
  );
  for (const child of Array.from(root.children)) {
    /** @type {HTMLElement} */ (child).inert = true;
    child.classList.add("gw-saved-part");
  }
  root.prepend(banner);
  root.dataset.live = "false";
}

// @ts-check
import { h } from "../lib/dom.js";
import { plural } from "../lib/format.js";

/**
 * What Ganga logged about this job (its last lines, as Python keeps them), collapsed: Ganga's
 * messages are not printed in the notebook's cells.
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 */
export function gangaLogPanel(model, root) {
  const box = h("details", "gw-ganga-log");
  const summary = h("summary", "gw-ganga-log-title", "Ganga log");
  const text = h("pre", "gw-ganga-log-text");
  box.append(summary, text);

  function draw() {
    /** @type {string[]} */
    const lines = model.get("ganga_log") || [];
    box.hidden = lines.length === 0;
    summary.textContent = `Ganga log (${lines.length} line${plural(lines.length)})`;
    text.textContent = lines.join("\n");
    root.dataset.gangaLog = String(lines.length);
  }

  return { elements: [box], draw };
}

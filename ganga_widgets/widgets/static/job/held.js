// @ts-check
import { h } from "../lib/dom.js";
import { plural } from "../lib/format.js";

/**
 * HTCondor: held subjobs grouped by hold reason (50 subjobs held for one reason are one
 * line); a click shows the first of a group in the detail panel.
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 */
export function heldPanel(model, root) {
  const box = h("div", "gw-held");

  function draw() {
    /** @type {import("../lib/types.js").HeldGroup[]} */
    const groups = model.get("held") || [];
    box.replaceChildren();
    box.hidden = groups.length === 0;
    const total = groups.reduce((n, g) => n + g.count, 0);
    root.dataset.held = String(total);
    if (!groups.length) return;
    box.append(h("div", "gw-held-title", `${total} held subjob${plural(total)}`));
    for (const g of groups) {
      const row = h("div", "gw-held-group");
      const code = g.code == null ? "" : ` (code ${g.code}${g.subcode ? "." + g.subcode : ""})`;
      const which = g.subjobs.join(", ") + (g.count > g.subjobs.length ? ", ..." : "");
      row.append(
        h("span", "gw-held-count", `${g.count} × held${code}`),
        h("span", "gw-held-which", ` subjob${plural(g.count)} ${which}`),
        h("div", "gw-held-text", g.reason || "(no reason given)"),
      );
      row.addEventListener("click", () => model.send({ type: "select", subjob: g.subjobs[0] }));
      box.append(row);
    }
  }

  return { elements: [box], draw };
}

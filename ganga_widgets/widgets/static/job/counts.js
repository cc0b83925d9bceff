// @ts-check
import { fillBar } from "../lib/bar.js";
import { h, statusClass } from "../lib/dom.js";
import { legend, vocabulary } from "../lib/vocabulary.js";
import { Grid } from "./grid.js";

/**
 * Subjobs by status: the stacked bar, a count per status, and the per-subjob grid (a click
 * shows that subjob in the detail panel).
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 */
export function countsPanel(model, root) {
  const bar = h("div", "gw-bar");
  const countsRow = h("div", "gw-counts");
  const gridBox = h("div", "gw-gridbox");
  const hover = h("div", "gw-hover", "");
  const grid = new Grid(
    root,
    (i) => model.send({ type: "select", subjob: i }),
    (i) => {
      const codes = model.get("cells");
      hover.textContent = i >= 0 ? `subjob ${i}: ${legend(model)[codes[i]] || "unknown"}` : "";
    },
  );
  gridBox.append(grid.canvas, hover);

  function drawGrid() {
    grid.update(model.get("cells") || "", model.get("selected"), legend(model));
  }

  function draw() {
    /** @type {Record<string, number>} */
    const counts = model.get("counts") || {};
    const order = vocabulary(model).order;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const hasSubjobs = ((model.get("summary") || {}).subjobs || 0) > 0;
    fillBar(bar, counts, order);
    countsRow.replaceChildren();
    bar.hidden = countsRow.hidden = !hasSubjobs;
    gridBox.hidden = !hasSubjobs;
    root.dataset.counts = JSON.stringify(counts);
    if (!hasSubjobs) return;
    for (const status of order) {
      const n = counts[status];
      if (!n) continue;
      const chip = h("span", "gw-count " + statusClass(status));
      chip.append(h("span", "gw-dot"), h("span", "gw-n", String(n)), h("span", "gw-k", " " + status));
      chip.dataset.status = status;
      countsRow.append(chip);
    }
    countsRow.append(h("span", "gw-total", `of ${total} subjobs`));
    drawGrid();
    root.dataset.selected = String(model.get("selected"));
  }

  return { elements: [bar, countsRow, gridBox], draw, drawGrid, grid };
}

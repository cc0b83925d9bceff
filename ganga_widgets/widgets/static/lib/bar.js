// @ts-check
import { h, statusClass } from "./dom.js";

/**
 * The stacked bar of subjobs by status: one segment per status, in the vocabulary's order.
 * @param {HTMLElement} bar
 * @param {Record<string, number>} counts
 * @param {string[]} order
 */
export function fillBar(bar, counts, order) {
  bar.replaceChildren();
  for (const status of order) {
    const n = (counts || {})[status];
    if (!n) continue;
    const seg = h("span", "gw-seg " + statusClass(status));
    seg.style.flexGrow = String(n);
    seg.title = `${n} ${status}`;
    bar.append(seg);
  }
}

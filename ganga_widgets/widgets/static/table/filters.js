// @ts-check
import { button, h, statusClass } from "../lib/dom.js";

/**
 * Filter chips by status and by backend (each with its number of jobs, from Python's
 * `facets`) and the search box.
 * @param {import("../lib/types.js").Model} model
 * @param {(changes: Partial<import("../lib/types.js").Query>) => void} query  ask for another page
 */
export function filtersPanel(model, query) {
  const box = h("div", "gw-filters");
  const statusChips = h("span", "gw-chips gw-status-filter");
  const backendChips = h("span", "gw-chips gw-backend-filter");
  const search = h("input", "gw-search");
  search.type = "search";
  search.placeholder = "Search name or comment";
  box.append(h("span", "gw-label", "Status "), statusChips, h("span", "gw-label", "Backend "),
    backendChips, search);

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let searchTimer;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer); // one query when the user pauses typing
    searchTimer = setTimeout(() => query({ text: search.value, page: 0 }), 300);
  });

  /**
   * @param {HTMLElement} chips
   * @param {Record<string, number>} counts
   * @param {string[]} chosen
   * @param {"status" | "backend"} field
   */
  function drawChips(chips, counts, chosen, field) {
    chips.replaceChildren();
    for (const [value, n] of Object.entries(counts || {})) {
      const on = chosen.includes(value);
      const look = "gw-chip" + (on ? " gw-on" : "") + (field === "status" ? " " + statusClass(value) : "");
      const chip = button(`${value} ${n}`, look, () => {
        const next = on ? chosen.filter((v) => v !== value) : [...chosen, value];
        query({ [field]: next, page: 0 });
      });
      chip.dataset.value = value;
      chips.append(chip);
    }
  }

  function draw() {
    /** @type {Partial<import("../lib/types.js").Query>} */
    const q = model.get("query") || {};
    const facets = model.get("facets") || {};
    drawChips(statusChips, facets.status, q.status || [], "status");
    drawChips(backendChips, facets.backend, q.backend || [], "backend");
    if (document.activeElement !== search) search.value = q.text || "";
  }

  return { elements: [box], draw, stop: () => clearTimeout(searchTimer) };
}

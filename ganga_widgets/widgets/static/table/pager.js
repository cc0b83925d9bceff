// @ts-check
import { button, h } from "../lib/dom.js";
import { plural } from "../lib/format.js";

/**
 * First, previous, next and last page, and the page size (the sizes Python allows).
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 * @param {(changes: Partial<import("../lib/types.js").Query>) => void} query
 */
export function pagerPanel(model, root, query) {
  const box = h("div", "gw-pager");
  const page = () => (model.get("query") || {}).page || 0;
  const first = button("«", "gw-first", () => query({ page: 0 }));
  const prev = button("‹", "gw-prev", () => query({ page: Math.max(0, page() - 1) }));
  const label = h("span", "gw-page");
  const next = button("›", "gw-next", () => query({ page: page() + 1 }));
  const last = button("»", "gw-last", () => query({ page: lastPage() }));
  const sizeSelect = h("select", "gw-page-size");
  for (const size of model.get("page_sizes") || []) {
    const option = h("option", "", `${size} per page`);
    option.value = String(size);
    sizeSelect.append(option);
  }
  sizeSelect.addEventListener("change", () => query({ page_size: Number(sizeSelect.value), page: 0 }));
  box.append(first, prev, label, next, last, sizeSelect);

  function lastPage() {
    const q = model.get("query") || {};
    return Math.max(0, Math.ceil((model.get("total") || 0) / (q.page_size || 25)) - 1);
  }

  function draw() {
    const q = model.get("query") || {};
    const pages = lastPage() + 1;
    const total = model.get("total") || 0;
    sizeSelect.value = String(q.page_size || 25);
    label.textContent = `page ${page() + 1} of ${pages} · ${total} job${plural(total)}`;
    first.disabled = prev.disabled = page() === 0;
    next.disabled = last.disabled = page() >= pages - 1;
    root.dataset.total = String(total);
    root.dataset.page = String(page());
  }

  return { elements: [box], draw };
}

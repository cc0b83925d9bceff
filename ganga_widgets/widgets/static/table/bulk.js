// @ts-check
import { askConfirm, button, h } from "../lib/dom.js";
import { plural } from "../lib/format.js";
import { offer, readOnlyReason } from "../lib/sharing.js";
import { vocabulary } from "../lib/vocabulary.js";

/**
 * The jobs selected across pages, and what can be done to them all at once (kill, remove),
 * each confirmed inline first.
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 * @param {{send: (name: string, fields: object) => void}} tracker
 * @param {HTMLElement} status  where every action's outcome is shown (row actions' too)
 * @param {() => void} redraw  the rows, when the selection changes here
 */
export function bulkPanel(model, root, tracker, status, redraw) {
  /** @type {Set<number>} */
  const selected = new Set();
  const box = h("div", "gw-bulk");
  const label = h("span", "gw-selected-count");
  const killSelected = button("Kill selected", "gw-kill", () => confirm("kill"));
  const removeSelected = button("Remove selected", "gw-remove", () => confirm("remove"));
  const clear = button("Clear selection", "", () => {
    selected.clear();
    redraw();
  });
  const confirmBox = h("span", "gw-confirm");
  box.append(label, killSelected, removeSelected, clear, confirmBox, status);

  /** Kill or remove the selected jobs, once the user says yes. @param {string} name */
  function confirm(name) {
    const ids = [...selected];
    if (!ids.length) return;
    /** @type {Map<number, import("../lib/types.js").Row>} */
    const byId = new Map((model.get("rows") || []).map((/** @type {any} */ r) => [r.id, r]));
    const active = ids.filter((i) => vocabulary(model).sets.shown_active.includes(byId.get(i)?.status || ""));
    const list = ids.slice(0, 10).join(", ") + (ids.length > 10 ? ", ..." : "");
    const jobs = `${ids.length} job${plural(ids.length)} (${list})`;
    const question = name === "remove"
      ? `Remove ${jobs}? Ganga deletes their registry entries and all their files (input, output, subjobs) in the gangadir${active.length ? `; ${active.length} still active, killed first` : ""}. This cannot be undone.`
      : `Kill ${jobs}?`;
    askConfirm(confirmBox, question, name === "remove" ? "Yes, remove" : "Yes, kill", () => {
      tracker.send(name, { ids });
      selected.clear();
    });
  }

  function draw() {
    label.textContent = selected.size ? `${selected.size} selected:` : "";
    for (const b of [killSelected, removeSelected, clear]) b.hidden = selected.size === 0;
    for (const b of [killSelected, removeSelected]) offer(b, true, readOnlyReason(model));
    root.dataset.selected = String(selected.size);
  }

  return { elements: [box], draw, selected, confirm, confirmBox };
}

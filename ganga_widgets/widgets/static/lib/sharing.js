// @ts-check
// A gangadir another Ganga session owns (ganga_widgets/ganga_adapter/sharing.py): the view
// says so once, at its top; its actions are off, each saying why; once that session has
// ended, a "Take over" button makes this kernel the owner.
import { button, h } from "./dom.js";

/**
 * Why actions are off in this view ("" where this kernel owns the gangadir).
 * @param {import("./types.js").Model} model
 */
export function readOnlyReason(model) {
  return (model.get("sharing") || {}).reason || "";
}

/**
 * Buttons that act on jobs: disabled in a read-only view, saying why; otherwise as `enabled`.
 * @param {HTMLButtonElement} b
 * @param {boolean} enabled
 * @param {string} reason  from readOnlyReason
 */
export function offer(b, enabled, reason) {
  if (b.dataset.title === undefined) b.dataset.title = b.title; // its own, kept for later
  b.disabled = !enabled || !!reason;
  b.title = reason || b.dataset.title;
}

/**
 * The notice at the top of a view, with "Take over" once the owner has ended.
 * @param {import("./types.js").Model} model
 * @param {HTMLElement} root  its data-read-only says "true", "ended" or ""
 */
export function sharingNotice(model, root) {
  const box = h("div", "gw-sharing");
  box.setAttribute("role", "status");
  const text = h("span", "gw-sharing-text");
  const takeOver = button("Take over", "gw-take-over", () => {
    takeOver.disabled = true; // until the kernel answers (the notice goes, or says why not)
    model.send({ type: "take_over", seq: Date.now() });
  });
  takeOver.title = "Make this kernel the owner of the gangadir: Ganga's monitoring runs here";
  box.append(text, takeOver);

  function draw() {
    /** @type {Partial<import("./types.js").Sharing>} */
    const s = model.get("sharing") || {};
    box.hidden = !s.owner;
    text.textContent = s.text || "";
    takeOver.hidden = !s.ended;
    takeOver.disabled = false;
    root.dataset.readOnly = s.owner ? (s.ended ? "ended" : "true") : "";
  }

  return { elements: [box], draw };
}

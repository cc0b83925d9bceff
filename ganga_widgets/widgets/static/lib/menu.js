// @ts-check
// A menu of actions opened from a button: the WAI-ARIA menu button pattern. One menu element
// per view serves every button of it (one per table row): it is drawn in the page's top layer
// where the browser has one (no scroll box or output area clips it), else inside the view.
import { h } from "./dom.js";

/**
 * @typedef {object} MenuItem
 * @property {string} label
 * @property {string} className
 * @property {string} [title]  what it does
 * @property {string} [unavailable]  why it cannot be chosen now: shown greyed, still focusable
 * @property {() => void} run
 */

const GAP = 2; // px between the button and the menu

/**
 * JupyterLab and Notebook 7 take a notebook's arrow keys for their own (they move the cell
 * cursor), Notebook 7 before any handler of the view: not from the focused element itself.
 * @param {HTMLElement} b
 */
function quiet(b) {
  b.dataset.lmSuppressShortcuts = "true";
}

/**
 * @param {HTMLElement} root  the view's root: the menu is its child, inherits its look, and
 *   keeps to its width
 */
export function popupMenu(root) {
  const menu = h("div", "gw-menu");
  menu.setAttribute("role", "menu");
  const layered = typeof menu.showPopover === "function";
  if (layered) menu.popover = "manual";
  else menu.hidden = true;
  root.append(menu);

  /** @type {WeakMap<HTMLElement, () => MenuItem[]>} */
  const itemsOf = new WeakMap();
  /** @type {HTMLButtonElement | null} */
  let owner = null;
  /** @type {HTMLButtonElement[]} */
  let buttons = [];
  const doc = root.ownerDocument;

  /**
   * A button that opens the menu with `items()`, read when it opens.
   * @param {string} label
   * @param {string} name  its accessible name, e.g. "Actions for job 3"
   * @param {string} key  which button this is across redraws (one per key)
   * @param {() => MenuItem[]} items
   */
  function trigger(label, name, key, items) {
    const b = h("button", "gw-button gw-menu-button", label);
    b.type = "button";
    b.setAttribute("aria-haspopup", "menu");
    b.setAttribute("aria-expanded", "false");
    b.setAttribute("aria-label", name);
    b.dataset.menuKey = key;
    quiet(b);
    itemsOf.set(b, items);
    b.addEventListener("click", () => {
      if (owner === b) close(false);
      else open(b, 0);
    });
    b.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        event.stopPropagation();
        open(b, event.key === "ArrowDown" ? 0 : -1);
      }
    });
    return b;
  }

  /** @param {HTMLButtonElement} b @param {number} focusAt  item index, -1 the last */
  function open(b, focusAt) {
    if (owner && owner !== b) close(false);
    owner = b;
    b.setAttribute("aria-expanded", "true");
    menu.setAttribute("aria-label", b.getAttribute("aria-label") || "");
    fill(itemsOf.get(b)?.() || []);
    if (layered) menu.showPopover();
    else menu.hidden = false;
    place();
    buttons.at(focusAt)?.focus({ preventScroll: true });
    doc.addEventListener("pointerdown", outside, true);
    doc.addEventListener("scroll", scrolled, true);
    doc.defaultView?.addEventListener("resize", resized);
  }

  /** @param {boolean} refocus  give the focus back to the button, if it is in the menu */
  function close(refocus) {
    if (!owner) return;
    const b = owner;
    owner = null;
    refocus = refocus && menu.contains(activeIn());
    b.setAttribute("aria-expanded", "false");
    if (layered) menu.hidePopover();
    else menu.hidden = true;
    doc.removeEventListener("pointerdown", outside, true);
    doc.removeEventListener("scroll", scrolled, true);
    doc.defaultView?.removeEventListener("resize", resized);
    if (refocus && b.isConnected) b.focus({ preventScroll: true });
  }

  /** @param {MenuItem[]} items */
  function fill(items) {
    buttons = items.map((item) => {
      const b = h("button", "gw-menu-item " + item.className, item.label);
      b.type = "button";
      b.setAttribute("role", "menuitem");
      b.tabIndex = -1;
      quiet(b);
      if (item.unavailable) b.setAttribute("aria-disabled", "true");
      b.title = item.unavailable || item.title || "";
      b.addEventListener("click", () => {
        if (item.unavailable) return;
        close(true);
        item.run();
      });
      return b;
    });
    menu.replaceChildren(...buttons);
  }

  /** Below the button, its right edge on the button's; above it where there is no room. */
  function place() {
    if (!owner) return;
    const at = owner.getBoundingClientRect();
    const box = root.getBoundingClientRect();
    const view = doc.documentElement;
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    const right = Math.min(box.right, view.clientWidth);
    let left = Math.max(box.left, 0, Math.min(at.right, right) - width);
    let top = at.bottom + GAP;
    if (top + height > view.clientHeight && at.top - GAP - height >= 0) top = at.top - GAP - height;
    if (!layered) { // positioned in the root's padding box instead of the viewport
      left -= box.left + root.clientLeft - root.scrollLeft;
      top -= box.top + root.clientTop - root.scrollTop;
    }
    menu.style.left = `${Math.round(left)}px`;
    menu.style.top = `${Math.round(top)}px`;
    menu.dataset.side = top < at.top ? "above" : "below";
  }

  /** @param {KeyboardEvent} event */
  function keydown(event) {
    const at = buttons.indexOf(/** @type {HTMLButtonElement} */ (activeIn()));
    const n = buttons.length;
    /** @type {number | null} */
    let next = null;
    if (event.key === "ArrowDown") next = (at + 1) % n;
    else if (event.key === "ArrowUp") next = (at - 1 + n) % n;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = n - 1;
    else if (event.key === "Escape") close(true);
    else if (event.key === "Tab") close(true); // and the browser moves on from the button
    else if (event.key.length === 1 && /\S/.test(event.key)) {
      // the next item whose label starts with that letter
      const letter = event.key.toLowerCase();
      for (let i = 1; i <= n; i++) {
        const j = (at + i) % n;
        if ((buttons[j].textContent || "").toLowerCase().startsWith(letter)) { next = j; break; }
      }
    } else return; // Enter and Space: the item's own click
    if (event.key !== "Tab") event.preventDefault();
    event.stopPropagation();
    if (next !== null && n) buttons[next].focus({ preventScroll: true });
  }
  menu.addEventListener("keydown", keydown);

  /** @param {Event} event */
  function outside(event) {
    const path = event.composedPath();
    if (!path.includes(menu) && !(owner && path.includes(owner))) close(false);
  }
  /**
   * The page or a box around the view scrolled: the menu follows its button, and closes
   * once the button is out of the window.
   * @param {Event} event
   */
  function scrolled(event) {
    if (!owner || event.composedPath().includes(menu)) return;
    const at = owner.getBoundingClientRect();
    if (at.bottom < 0 || at.top > doc.documentElement.clientHeight || !at.width) close(true);
    else place();
  }
  function resized() {
    close(true);
  }
  menu.addEventListener("focusout", (event) => {
    const to = /** @type {Node | null} */ (event.relatedTarget);
    if (to && !menu.contains(to) && to !== owner) close(false);
  });

  /**
   * The buttons were drawn anew (rows replaced): an open menu follows its key's new button
   * with that button's items now, the focus on the same item; it closes if the key is gone.
   */
  function follow() {
    if (!owner || owner.isConnected) return;
    const key = owner.dataset.menuKey || "";
    const b = /** @type {HTMLButtonElement | null} */ (
      root.querySelector(`.gw-menu-button[data-menu-key="${CSS.escape(key)}"]`));
    if (!b) {
      close(false);
      return;
    }
    const focused = buttons.indexOf(/** @type {HTMLButtonElement} */ (activeIn()));
    owner = b;
    b.setAttribute("aria-expanded", "true");
    fill(itemsOf.get(b)?.() || []);
    if (focused >= 0) (buttons[focused] || buttons[0])?.focus({ preventScroll: true });
    place();
  }

  /** The focused element, inside a shadow root too (marimo draws views in one). */
  function activeIn() {
    const node = root.getRootNode();
    return node instanceof ShadowRoot ? node.activeElement : doc.activeElement;
  }

  return { trigger, follow, close: () => close(false) };
}

// @ts-check
// DOM helpers. Every string that came from a job is set with textContent, never as HTML.

/**
 * An element with a class and text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * @param {string} label
 * @param {string} className
 * @param {(event: MouseEvent) => void} onClick
 */
export function button(label, className, onClick) {
  const b = h("button", "gw-button " + (className || ""), label);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

/** The CSS class of a status (its colour). @param {string | undefined} status */
export function statusClass(status) {
  return "gw-s-" + String(status || "unknown").replace(/[^a-z_]/g, "");
}

/**
 * An inline "are you sure?" in `box`: the question, a confirm button, Cancel.
 * @param {HTMLElement} box
 * @param {string} question
 * @param {string} yesLabel
 * @param {() => void} onYes
 */
export function askConfirm(box, question, yesLabel, onYes) {
  const yes = button(yesLabel, "gw-danger", () => {
    box.replaceChildren();
    onYes();
  });
  const no = button("Cancel", "", () => box.replaceChildren());
  box.replaceChildren(h("span", "gw-question", question), yes, no);
}

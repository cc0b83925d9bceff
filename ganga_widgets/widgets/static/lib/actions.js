// @ts-check
// Actions are messages to Python: shown as pending until the `action` trait answers the
// same sequence number (the kernel handles them only when it is free).

/**
 * @param {import("./types.js").Model} model
 * @param {HTMLElement} statusEl  where the outcome is written
 * @param {HTMLElement} root  the view's root: its data-action-* attributes say the state
 * @param {Record<string, string>} labels  action name -> what the user reads
 */
export function actionTracker(model, statusEl, root, labels) {
  /** @type {{seq: number, name: string} | null} */
  let pending = null;
  function draw() {
    /** @type {import("./types.js").Outcome} */
    const outcome = model.get("action") || {};
    let stateName = "";
    let text = "";
    if (pending && outcome.seq !== pending.seq) {
      stateName = "pending";
      text = `${labels[pending.name] || pending.name}: pending — runs when the kernel is free`;
    } else if (outcome.name) {
      pending = null;
      stateName = outcome.state || "";
      text = `${labels[outcome.name] || outcome.name}: ${outcome.state} — ${outcome.message}`;
    }
    statusEl.textContent = text;
    statusEl.className = "gw-action-status gw-action-" + (stateName || "none");
    root.dataset.actionState = stateName;
    root.dataset.actionName = pending ? pending.name : outcome.name || "";
  }
  /** @param {string} name @param {object} fields */
  function send(name, fields) {
    const seq = Date.now() * 1000 + Math.floor(Math.random() * 1000);
    pending = { seq, name };
    model.send({ type: "action", name, seq, ...fields });
    draw();
  }
  return { draw, send };
}

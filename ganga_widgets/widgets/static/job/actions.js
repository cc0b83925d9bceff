// @ts-check
import { actionTracker } from "../lib/actions.js";
import { askConfirm, button, h } from "../lib/dom.js";
import { offer, readOnlyReason } from "../lib/sharing.js";
import { countIn, vocabulary } from "../lib/vocabulary.js";

const LABELS = {
  kill: "Kill job", kill_subjob: "Kill subjob", take_over: "Take over", resubmit: "Resubmit failed",
  hold: "Hold", release: "Release", release_held: "Release held", why_idle: "Why idle?",
  release_group: "Release", resubmit_more_memory: "Resubmit with more memory",
};

/**
 * The job's action buttons, enabled as Python says (the `can` trait), with an inline
 * confirmation for anything destructive, and the outcome of the last action.
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 */
export function actionsPanel(model, root) {
  const row = h("div", "gw-actions");
  const killButton = button("Kill job", "gw-kill", () => confirm("kill"));
  const resubmitButton = button("Resubmit failed", "gw-resubmit", () => send("resubmit"));
  const releaseHeldButton = button("Release held", "gw-release-held", () => send("release_held"));
  const confirmBox = h("span", "gw-confirm");
  const status = h("span", "gw-action-status");
  row.append(killButton, resubmitButton, releaseHeldButton, confirmBox, status);
  const tracker = actionTracker(model, status, root, LABELS);

  /** @param {string} name @param {number | null} [subjob] @param {object} [extra] */
  function send(name, subjob, extra) {
    confirmBox.replaceChildren();
    tracker.send(name, { subjob: subjob ?? null, ...extra });
  }

  /** Kill the job or the subjob shown, once the user says yes. @param {string} name */
  function confirm(name) {
    const s = model.get("summary");
    const d = model.get("detail");
    let question;
    if (name === "kill") {
      const active = countIn(model.get("counts"), vocabulary(model).sets.shown_active);
      question = s.subjobs ? `Kill job ${s.fqid} and its ${active} unfinished subjobs?` : `Kill job ${s.fqid}?`;
    } else {
      question = `Kill subjob ${d.fqid}?`;
    }
    askConfirm(confirmBox, question, "Yes, kill", () => send(name, name === "kill_subjob" ? d.subjob : null));
  }

  function draw() {
    const can = model.get("can") || {};
    /** @type {Record<string, number>} */
    const counts = model.get("counts") || {};
    const reason = readOnlyReason(model);
    offer(killButton, !!can.kill, reason);
    offer(resubmitButton, !!can.resubmit, reason);
    releaseHeldButton.hidden = !can.release_held;
    releaseHeldButton.textContent = `Release held (${counts.held || 0})`;
    const failed = countIn(counts, vocabulary(model).sets.failed);
    resubmitButton.textContent = failed ? `Resubmit failed (${failed})` : "Resubmit failed";
  }

  return { elements: [row], draw, drawOutcome: tracker.draw, send, confirm };
}

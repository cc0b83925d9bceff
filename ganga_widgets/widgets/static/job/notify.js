// @ts-check
import { button } from "../lib/dom.js";
import { vocabulary } from "../lib/vocabulary.js";

// One opt-in for every widget of the browser (the user said yes once, not per job).
const OPT_IN_KEY = "ganga-widgets-notify";
const TITLE_MARK = "● ";
const HELD_EVERY_MS = 60_000;
// Whether the title is to carry the mark until the user looks again (one page, one title:
// shared by every widget). JupyterLab sets the title anew whenever the notebook's tab
// changes (a save, an autosave, a cell run: measured), which would drop the mark unseen, so
// while it is due a watch on the title puts it back.
let markDue = false;
/** @type {MutationObserver | null} */
let titleWatch = null;

function applyMark() {
  if (markDue && !document.title.startsWith(TITLE_MARK)) document.title = TITLE_MARK + document.title;
}

function markTitle() {
  markDue = true;
  applyMark();
  if (!titleWatch) {
    titleWatch = new MutationObserver(applyMark);
    titleWatch.observe(document.head, { subtree: true, childList: true, characterData: true });
    document.addEventListener("visibilitychange", unmarkTitle);
  }
}

function unmarkTitle() {
  if (document.hidden || !markDue) return;
  markDue = false;
  titleWatch?.disconnect();
  titleWatch = null;
  document.removeEventListener("visibilitychange", unmarkTitle);
  if (document.title.startsWith(TITLE_MARK)) document.title = document.title.slice(TITLE_MARK.length);
}

/**
 * Tells the user when the job ends, fails or gets held while they look elsewhere: a browser
 * notification once they opt in with the bell (nothing is asked unprompted), and a mark in
 * the page's title while the page is hidden. Only changes seen live count: a job already
 * ended when the view opened says nothing.
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 */
export function notifier(model, root) {
  const supported = typeof Notification !== "undefined";
  const bell = button("", "gw-notify", () => { optIn(); });
  bell.hidden = !supported;
  /** @type {string | undefined} */
  let lastStatus;
  let lastHeld = 0;
  let sent = 0;
  // Held: at most one notification a minute, saying how many are held by then (a big job
  // gets its subjobs held one after another: not one notification each).
  let heldToldAt = -Infinity;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let heldDue = null;

  function enabled() {
    return supported && Notification.permission === "granted" &&
      window.localStorage?.getItem(OPT_IN_KEY) === "yes";
  }

  async function optIn() {
    if (enabled()) {
      window.localStorage?.removeItem(OPT_IN_KEY); // the bell toggles
    } else if (await Notification.requestPermission() === "granted") {
      window.localStorage?.setItem(OPT_IN_KEY, "yes");
    }
    drawBell();
  }

  function drawBell() {
    const on = enabled();
    const blocked = supported && Notification.permission === "denied";
    bell.textContent = on ? "Notifying ✓" : blocked ? "Notifications blocked by the browser" : "Notify me";
    bell.title = on ? "A browser notification when this job ends, fails or is held (click to stop)"
      : blocked ? "This browser refuses this page's notifications: allow them in its site settings, then click again"
        : "Ask for a browser notification when this job ends, fails or is held";
    root.dataset.notify = on ? "on" : blocked ? "blocked" : "";
  }

  /** @param {string} text */
  function tell(text) {
    sent += 1;
    root.dataset.notified = String(sent);
    if (document.hidden) markTitle();
    if (enabled()) new Notification("Ganga job", { body: text, tag: `gw-${text}` });
  }

  function check() {
    /** @type {Partial<import("../lib/types.js").Summary>} */
    const s = model.get("summary") || {};
    /** @type {Record<string, number>} */
    const counts = model.get("counts") || {};
    const held = counts.held || 0;
    const status = s.status;
    const ended = vocabulary(model).sets.final.includes(String(status));
    if (lastStatus !== undefined && status !== lastStatus && ended) {
      tell(`Job ${s.fqid}${s.name ? ` "${s.name}"` : ""} ${status}`);
    } else if (lastStatus !== undefined && (held > lastHeld || (status === "held" && lastStatus !== "held"))) {
      heldNews();
    }
    lastStatus = status;
    lastHeld = held;
  }

  function heldNews() {
    const wait = heldToldAt + HELD_EVERY_MS - Date.now();
    if (wait <= 0) tellHeld();
    else heldDue ??= setTimeout(tellHeld, wait);
  }

  function tellHeld() {
    heldDue = null;
    /** @type {Partial<import("../lib/types.js").Summary>} */
    const s = model.get("summary") || {};
    const held = (model.get("counts") || {}).held || 0;
    if (!held && s.status !== "held") return; // released meanwhile: nothing to say
    heldToldAt = Date.now();
    tell(held ? `Job ${s.fqid}: ${held} subjob${held === 1 ? "" : "s"} held` : `Job ${s.fqid} is held`);
  }

  drawBell();

  return {
    elements: [bell],
    check,
  };
}

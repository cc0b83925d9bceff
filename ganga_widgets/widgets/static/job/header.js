// @ts-check
import { h, statusClass } from "../lib/dom.js";
import { clockTime, duration } from "../lib/format.js";

/**
 * The job's title, name, application and backend, status badge, and its times.
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 * @param {() => number} now  the kernel's time, seconds
 */
export function headerPanel(model, root, now) {
  const header = h("div", "gw-header");
  const title = h("span", "gw-title");
  const name = h("span", "gw-name");
  const meta = h("span", "gw-meta");
  const badge = h("span", "gw-badge");
  const progress = h("span", "gw-submitting");
  header.append(title, name, meta, badge, progress);

  const timesRow = h("div", "gw-times");
  /** @type {Record<string, HTMLElement>} */
  const timeCells = {};
  const labels = [["submitted", "Submitted"], ["resubmitted", "Resubmitted"],
    ["started", "Started"], ["finished", "Finished"], ["elapsed", "Elapsed"]];
  /** @type {Record<string, HTMLElement>} */
  const items = {};
  for (const [key, label] of labels) {
    const item = h("span", "gw-time");
    item.append(h("span", "gw-label", label + " "));
    timeCells[key] = h("span", "gw-value gw-time-" + key, "—");
    item.append(timeCells[key]);
    items[key] = item;
    timesRow.append(item);
  }

  function drawTimes() {
    /** @type {import("../lib/types.js").Times} */
    const t = (model.get("summary") || {}).times || {};
    timeCells.submitted.textContent = clockTime(t.submitted);
    items.resubmitted.hidden = t.resubmitted == null; // said only of a job submitted again
    timeCells.resubmitted.textContent = clockTime(t.resubmitted);
    timeCells.started.textContent = clockTime(t.started);
    timeCells.finished.textContent = clockTime(t.finished);
    const from = t.started ?? t.resubmitted ?? t.submitted;
    timeCells.elapsed.textContent = from == null ? "—" : duration((t.finished ?? now()) - from);
  }

  function draw() {
    /** @type {Partial<import("../lib/types.js").Summary>} */
    const s = model.get("summary") || {};
    title.textContent = `Job ${s.fqid ?? "?"}`;
    name.textContent = s.name ? s.name : "";
    name.title = s.comment || "";
    meta.textContent = [s.application, s.backend, s.files].filter(Boolean).join(" · ");
    badge.textContent = s.status || "unknown";
    badge.className = "gw-badge " + statusClass(s.status);
    progress.textContent = s.submitting ? s.submitting.text : "";
    progress.hidden = !s.submitting;
    root.dataset.status = s.status || "";
    root.dataset.job = s.fqid ?? "";
    drawTimes();
  }

  return { elements: [header, timesRow], draw, drawTimes };
}

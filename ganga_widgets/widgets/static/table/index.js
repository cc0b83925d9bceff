// @ts-check
// JobTable's view: the page of jobs Python sent (ganga_widgets/jobdata/rows.py), filters,
// search, sorting, paging, per-row and bulk actions, and the opened job's own JobWidget view
// below. One module per panel.
//
// Traits read: rows, total, query, facets, totals, page_sizes, action, detail, clock,
// vocabulary (see ganga_widgets/widgets/table.py); messages: {type: "patch", rows}.
import { actionTracker } from "../lib/actions.js";
import { button, h } from "../lib/dom.js";
import { plural } from "../lib/format.js";
import { markSaved, savedCopy, watchLive } from "../lib/live.js";
import { listen, profiler } from "../lib/profile.js";
import { sharingNotice } from "../lib/sharing.js";
import { bulkPanel } from "./bulk.js";
import { filtersPanel } from "./filters.js";
import { pagerPanel } from "./pager.js";
import { rowsPanel } from "./rows.js";

const LABELS = {
  kill: "Kill", resubmit: "Resubmit failed", remove: "Remove", open: "Open", close: "Close",
  take_over: "Take over",
};

/**
 * @param {{model: import("../lib/types.js").Model, el: HTMLElement, host?: any}} props
 *   host: anywidget's, to render the opened job's JobWidget inside this view
 */
async function render({ model, el, host }) {
  const started = performance.now();
  const root = h("div", "gw-table");
  el.appendChild(root);

  const saved = savedCopy(model);
  // A live view says so when its kernel goes quiet (restarted, stopped).
  const liveness = saved ? null : watchLive(model, root, () => "JobTable()");
  let clockOffset = 0;
  // A saved copy's time stands still where it was saved; a quiet one's, where it went quiet.
  const now = () => (saved ? model.get("clock") : (liveness?.now() ?? 0) + clockOffset);
  /** @param {Partial<import("../lib/types.js").Query>} changes */
  function query(changes) {
    model.send({ type: "query", ...(model.get("query") || {}), ...changes });
  }

  const sharing = sharingNotice(model, root);
  const summary = h("div", "gw-summary");
  const filters = filtersPanel(model, query);
  const status = h("span", "gw-action-status"); // in the bulk bar, for every action
  const outcome = actionTracker(model, status, root, LABELS);
  const bulk = bulkPanel(model, root, outcome, status, () => rows.draw());
  const rows = rowsPanel(model, root, query, bulk, outcome, now);
  const pager = pagerPanel(model, root, query);

  const detailBox = h("div", "gw-detail-slot");
  const detailHead = h("div", "gw-detail-head");
  const detailTitle = h("span", "gw-detail-title");
  detailHead.append(detailTitle, button("Close", "gw-close-detail", () => outcome.send("close", { ids: [] })));
  const detailView = h("div", "gw-detail-view");
  detailBox.append(detailHead, detailView);

  root.append(...sharing.elements, summary, ...filters.elements, ...bulk.elements,
    ...rows.elements, ...pager.elements, detailBox);

  function drawSummary() {
    /** @type {Partial<import("../lib/types.js").Totals>} */
    const t = model.get("totals") || {};
    const parts = Object.entries(t.by_status || {}).map(([s, n]) => `${n} ${s}`);
    const jobs = t.jobs || 0;
    summary.textContent = `${jobs} job${plural(jobs)}` + (parts.length ? ` — ${parts.join(", ")}` : "") +
      ` · subjobs: ${t.subjobs_running || 0} running, ${t.subjobs_queued || 0} queued`;
  }

  function drawQuery() {
    filters.draw();
    rows.drawSort();
    pager.draw();
  }

  // The opened job: its own JobWidget view (job/index.js), rendered here by anywidget.
  /** @type {AbortController | null} */
  let detailAbort = null;
  async function drawDetail() {
    if (detailAbort) detailAbort.abort();
    detailAbort = null;
    detailView.replaceChildren();
    const ref = model.get("detail");
    detailBox.hidden = !ref;
    root.dataset.detail = ref ? "open" : "";
    if (!ref || !host) return;
    detailAbort = new AbortController();
    const signal = detailAbort.signal;
    const child = await host.getWidget(ref);
    if (signal.aborted) return;
    const slot = h("div");
    detailView.append(slot);
    detailTitle.textContent = "Opened from the table";
    await child.render({ el: slot, signal });
  }

  /** @type {Record<string, () => void>} */
  const handlers = {
    "change:rows": rows.draw,
    "change:query": drawQuery,
    "change:facets": drawQuery,
    "change:total": drawQuery,
    "change:totals": drawSummary,
    "change:sharing": () => { sharing.draw(); bulk.draw(); },
    "change:action": outcome.draw,
    "change:detail": drawDetail,
    "change:clock": () => {
      liveness?.heard();
      clockOffset = model.get("clock") - Date.now() / 1000;
    },
  };
  const profile = profiler("table");
  const stopListening = listen(model, {
    ...handlers,
    "msg:custom": (/** @type {any} */ msg) => {
      liveness?.heard(); // a patch, or a beat
      if (msg && msg.type === "patch") rows.patch(msg.rows || []);
    },
  }, profile);

  clockOffset = (model.get("clock") || Date.now() / 1000) - Date.now() / 1000;
  sharing.draw();
  drawSummary();
  drawQuery();
  rows.draw();
  outcome.draw();
  drawDetail();
  const timer = saved ? undefined : setInterval(rows.drawDurations, 1000);
  if (saved) markSaved(model, root, "the job table", "JobTable()");
  profile.render(started);

  return () => {
    clearInterval(timer);
    liveness?.stop();
    filters.stop();
    rows.stop();
    if (detailAbort) detailAbort.abort();
    stopListening();
  };
}

export default { render };

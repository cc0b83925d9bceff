// JobTable view: the page of jobs Python sent (see ganga_widgets/rows.py), filters, search,
// sorting, paging, per-row and bulk actions, and the opened job's own JobWidget view below.
// Helpers (h, button, duration, fillBar, askConfirm, actionTracker...) come from common.js.

const TABLE_LABELS = {
  kill: "Kill", resubmit: "Resubmit failed", remove: "Remove", open: "Open", close: "Close",
};
const COLUMNS = [
  // [key, title, sortable]
  ["id", "ID", true], ["name", "Name", true], ["application", "Application", true],
  ["backend", "Backend", true], ["status", "Status", true], ["subjobs", "Subjobs", true],
  ["submitted", "Submitted", false], ["duration", "Duration", false],
];
const FINISHED = new Set(["completed", "completed_frozen", "failed", "failed_frozen", "killed", "removed"]);

async function render({ model, el, host }) {
  const started = performance.now();
  const root = h("div", "gw-table");
  el.appendChild(root);
  const controller = new AbortController();

  const summary = h("div", "gw-summary");
  const filters = h("div", "gw-filters");
  const statusChips = h("span", "gw-chips gw-status-filter");
  const backendChips = h("span", "gw-chips gw-backend-filter");
  const search = h("input", "gw-search");
  search.type = "search";
  search.placeholder = "Search name or comment";
  filters.append(h("span", "gw-label", "Status "), statusChips, h("span", "gw-label", "Backend "),
    backendChips, search);

  const bulk = h("div", "gw-bulk");
  const selectedLabel = h("span", "gw-selected-count");
  const killSelected = button("Kill selected", "gw-kill", () => confirmBulk("kill"));
  const removeSelected = button("Remove selected", "gw-remove", () => confirmBulk("remove"));
  const clearSelection = button("Clear selection", "", () => { selected.clear(); drawRows(); });
  const confirmBox = h("span", "gw-confirm");
  const actionStatus = h("span", "gw-action-status");
  bulk.append(selectedLabel, killSelected, removeSelected, clearSelection, confirmBox, actionStatus);

  const table = h("table", "gw-jobs");
  const thead = h("thead");
  const headRow = h("tr");
  const selectAll = h("input", "gw-select-all");
  selectAll.type = "checkbox";
  selectAll.title = "Select the jobs on this page";
  headRow.append(cell("th", selectAll));
  const headers = {};
  for (const [key, title, sortable] of COLUMNS) {
    const th = h("th", "gw-col-" + key, title);
    if (sortable) {
      th.classList.add("gw-sortable");
      th.addEventListener("click", () => {
        const q = model.get("query") || {};
        query({ sort: key, descending: q.sort === key ? !q.descending : key === "id", page: 0 });
      });
    }
    headers[key] = th;
    headRow.append(th);
  }
  headRow.append(h("th", "gw-col-actions", "Actions"));
  thead.append(headRow);
  const tbody = h("tbody");
  table.append(thead, tbody);
  const empty = h("div", "gw-empty");

  const pager = h("div", "gw-pager");
  const first = button("«", "gw-first", () => query({ page: 0 }));
  const prev = button("‹", "gw-prev", () => query({ page: Math.max(0, (model.get("query").page || 0) - 1) }));
  const pageLabel = h("span", "gw-page");
  const next = button("›", "gw-next", () => query({ page: (model.get("query").page || 0) + 1 }));
  const last = button("»", "gw-last", () => query({ page: lastPage() }));
  const sizeSelect = h("select", "gw-page-size");
  for (const size of [10, 25, 50, 100]) {
    const option = h("option", "", `${size} per page`);
    option.value = String(size);
    sizeSelect.append(option);
  }
  sizeSelect.addEventListener("change", () => query({ page_size: Number(sizeSelect.value), page: 0 }));
  pager.append(first, prev, pageLabel, next, last, sizeSelect);

  const detailBox = h("div", "gw-detail-slot");
  const detailHead = h("div", "gw-detail-head");
  const detailTitle = h("span", "gw-detail-title");
  detailHead.append(detailTitle, button("Close", "gw-close-detail", () => tracker.send("close", { ids: [] })));
  const detailView = h("div", "gw-detail-view");
  detailBox.append(detailHead, detailView);

  const scroller = h("div", "gw-scroll"); // a narrow output area scrolls the table, not the page
  scroller.append(table);
  root.append(summary, filters, bulk, scroller, empty, pager, detailBox);

  // -- state kept by this view: the selection, the pending query --------------------------------
  const selected = new Set();
  const tracker = actionTracker(model, actionStatus, root, TABLE_LABELS);
  let clockOffset = 0;
  let searchTimer = null;

  function cell(tag, child) {
    const c = h(tag);
    if (child) c.append(child);
    return c;
  }

  function query(changes) {
    const q = { ...(model.get("query") || {}), ...changes };
    model.send({ type: "query", ...q });
  }

  function lastPage() {
    const q = model.get("query") || {};
    return Math.max(0, Math.ceil((model.get("total") || 0) / (q.page_size || 25)) - 1);
  }

  search.addEventListener("input", () => {
    clearTimeout(searchTimer); // one query when the user pauses typing
    searchTimer = setTimeout(() => query({ text: search.value, page: 0 }), 300);
  });

  selectAll.addEventListener("change", () => {
    for (const row of model.get("rows") || []) {
      if (selectAll.checked) selected.add(row.id); else selected.delete(row.id);
    }
    drawRows();
  });

  function confirmBulk(name) {
    const ids = [...selected];
    if (!ids.length) return;
    const byId = new Map((model.get("rows") || []).map((r) => [r.id, r]));
    const active = ids.filter((i) => byId.has(i) && !FINISHED.has(byId.get(i).status) && byId.get(i).status !== "new");
    const list = ids.slice(0, 10).join(", ") + (ids.length > 10 ? ", ..." : "");
    const question = name === "remove"
      ? `Remove ${ids.length} job${ids.length === 1 ? "" : "s"} (${list})? Ganga deletes their registry entries and all their files (input, output, subjobs) in the gangadir${active.length ? `; ${active.length} still active, killed first` : ""}. This cannot be undone.`
      : `Kill ${ids.length} job${ids.length === 1 ? "" : "s"} (${list})?`;
    askConfirm(confirmBox, question, name === "remove" ? "Yes, remove" : "Yes, kill", () => {
      tracker.send(name, { ids });
      selected.clear();
    });
  }

  function rowActions(row) {
    const box = h("span", "gw-row-actions");
    const open = button("Open", "gw-open", () => tracker.send("open", { ids: [row.id] }));
    const kill = button("Kill", "gw-kill", () =>
      askConfirm(confirmBox, `Kill job ${row.id}${row.name ? ` "${row.name}"` : ""}?`, "Yes, kill",
        () => tracker.send("kill", { ids: [row.id] })));
    const resubmit = button("Resubmit", "gw-resubmit", () => tracker.send("resubmit", { ids: [row.id] }));
    resubmit.title = "Resubmit the failed subjobs (their output is kept in previous-attempts/)";
    const remove = button("Remove", "gw-remove", () => {
      selected.clear();
      selected.add(row.id);
      confirmBulk("remove");
    });
    const running = ["submitted", "running", "idle", "held"].includes(row.status);
    const failed = (row.counts.failed || 0) + (row.counts.failed_frozen || 0) > 0 || row.status === "failed";
    open.disabled = !!row.error;
    kill.disabled = !running;
    resubmit.disabled = !failed;
    remove.disabled = !!row.error;
    box.append(open, kill, resubmit, remove);
    return box;
  }

  function rowElement(row) {
    const tr = h("tr", "gw-row " + statusClass(row.status));
    tr.dataset.id = String(row.id);
    tr.dataset.status = row.status;
    const check = h("input", "gw-select");
    check.type = "checkbox";
    check.checked = selected.has(row.id);
    check.addEventListener("change", () => {
      if (check.checked) selected.add(row.id); else selected.delete(row.id);
      drawSelection();
    });
    tr.append(cell("td", check), h("td", "gw-col-id", String(row.id)));
    const name = h("td", "gw-col-name", row.error || row.name);
    name.title = row.comment || "";
    if (row.error) name.classList.add("gw-unreadable");
    tr.append(name, h("td", "gw-col-application", row.application), h("td", "gw-col-backend", row.backend));
    const badge = h("span", "gw-badge " + statusClass(row.status), row.status);
    tr.append(cell("td", badge));
    const subjobsCell = h("td", "gw-col-subjobs");
    if (row.subjobs) {
      const bar = h("div", "gw-bar gw-row-bar");
      fillBar(bar, row.counts);
      const done = (row.counts.completed || 0) + (row.counts.completed_frozen || 0);
      subjobsCell.append(bar, h("span", "gw-row-count", `${done}/${row.subjobs}`));
    }
    tr.append(subjobsCell);
    const t = row.times || {};
    tr.append(h("td", "gw-col-submitted", row.times ? clockTime(t.submitted) : ""));
    const dur = h("td", "gw-col-duration", "");
    dur.dataset.started = t.started ?? t.submitted ?? "";
    dur.dataset.finished = t.finished ?? "";
    tr.append(dur, cell("td", rowActions(row)));
    return tr;
  }

  function drawDurations() {
    const now = Date.now() / 1000 + clockOffset;
    for (const td of tbody.querySelectorAll(".gw-col-duration")) {
      const from = Number(td.dataset.started);
      const to = td.dataset.finished ? Number(td.dataset.finished) : now;
      td.textContent = td.dataset.started ? duration(to - from) : "";
    }
  }

  function drawRows() {
    const rows = model.get("rows") || [];
    tbody.replaceChildren(...rows.map(rowElement));
    empty.textContent = rows.length ? "" : "No job matches.";
    empty.hidden = rows.length > 0;
    root.dataset.rows = String(rows.length);
    selectAll.checked = rows.length > 0 && rows.every((r) => selected.has(r.id));
    drawDurations();
    drawSelection();
  }

  function patchRows(changed) {
    // Python sent only the rows that changed: replace those, keep the model current for any
    // other view of this table.
    const byId = new Map(changed.map((r) => [r.id, r]));
    const rows = (model.get("rows") || []).map((r) => byId.get(r.id) || r);
    model.set("rows", rows);
    for (const row of changed) {
      const old = tbody.querySelector(`tr[data-id="${row.id}"]`);
      if (old) old.replaceWith(rowElement(row));
    }
    drawDurations();
  }

  function drawSelection() {
    selectedLabel.textContent = selected.size ? `${selected.size} selected:` : "";
    for (const b of [killSelected, removeSelected, clearSelection]) b.hidden = selected.size === 0;
    root.dataset.selected = String(selected.size);
  }

  function drawChips(box, counts, chosen, field) {
    box.replaceChildren();
    for (const [value, n] of Object.entries(counts || {})) {
      const on = chosen.includes(value);
      const chip = button(`${value} ${n}`, "gw-chip" + (on ? " gw-on" : "") + (field === "status" ? " " + statusClass(value) : ""), () => {
        const next = on ? chosen.filter((v) => v !== value) : [...chosen, value];
        query({ [field]: next, page: 0 });
      });
      chip.dataset.value = value;
      box.append(chip);
    }
  }

  function drawQuery() {
    const q = model.get("query") || {};
    const f = model.get("facets") || {};
    drawChips(statusChips, f.status, q.status || [], "status");
    drawChips(backendChips, f.backend, q.backend || [], "backend");
    if (document.activeElement !== search) search.value = q.text || "";
    sizeSelect.value = String(q.page_size || 25);
    for (const [key, th] of Object.entries(headers)) {
      th.dataset.sort = q.sort === key ? (q.descending ? "desc" : "asc") : "";
    }
    const pages = lastPage() + 1;
    const total = model.get("total") || 0;
    pageLabel.textContent = `page ${(q.page || 0) + 1} of ${pages} · ${total} job${total === 1 ? "" : "s"}`;
    first.disabled = prev.disabled = (q.page || 0) === 0;
    next.disabled = last.disabled = (q.page || 0) >= pages - 1;
    root.dataset.total = String(total);
    root.dataset.page = String(q.page || 0);
  }

  function drawSummary() {
    const t = model.get("totals") || {};
    const parts = Object.entries(t.by_status || {}).map(([s, n]) => `${n} ${s}`);
    summary.textContent = `${t.jobs || 0} jobs` + (parts.length ? ` — ${parts.join(", ")}` : "") +
      ` · subjobs: ${t.subjobs_running || 0} running, ${t.subjobs_queued || 0} queued`;
  }

  // The opened job: its own JobWidget view (job.js), rendered here by anywidget.
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

  const handlers = {
    "change:rows": drawRows,
    "change:query": drawQuery,
    "change:facets": drawQuery,
    "change:total": drawQuery,
    "change:totals": drawSummary,
    "change:action": tracker.draw,
    "change:detail": drawDetail,
    "change:clock": () => { clockOffset = model.get("clock") - Date.now() / 1000; },
  };
  const profile = profiler("table");
  const bound = Object.entries(handlers).map(([event, fn]) => [event, profile.wrap(fn)]);
  for (const [event, fn] of bound) model.on(event, fn);
  const onMessage = profile.wrap((msg) => { if (msg && msg.type === "patch") patchRows(msg.rows || []); });
  model.on("msg:custom", onMessage);

  clockOffset = (model.get("clock") || Date.now() / 1000) - Date.now() / 1000;
  drawSummary();
  drawQuery();
  drawRows();
  tracker.draw();
  drawDetail();
  const timer = setInterval(drawDurations, 1000);
  profile.render(started);

  return () => {
    clearInterval(timer);
    clearTimeout(searchTimer);
    if (detailAbort) detailAbort.abort();
    controller.abort();
    for (const [event, fn] of bound) model.off(event, fn);
    model.off("msg:custom", onMessage);
  };
}

export default { render };

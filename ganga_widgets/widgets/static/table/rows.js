// @ts-check
import { fillBar } from "../lib/bar.js";
import { askConfirm, button, h, statusClass } from "../lib/dom.js";
import { clockTime, duration } from "../lib/format.js";
import { countIn, vocabulary } from "../lib/vocabulary.js";

const COLUMNS = [
  // [key, title, sortable]
  ["id", "ID", true], ["name", "Name", true], ["application", "Application", true],
  ["backend", "Backend", true], ["status", "Status", true], ["subjobs", "Subjobs", true],
  ["submitted", "Submitted", false], ["duration", "Duration", false],
];

/**
 * The page of jobs: sortable columns, one row per job with its subjob bar and duration, and
 * per-row actions enabled as Python says (each row's `actions`). Rows Python patches are
 * replaced alone.
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 * @param {(changes: Partial<import("../lib/types.js").Query>) => void} query
 * @param {ReturnType<typeof import("./bulk.js").bulkPanel>} bulk
 * @param {{send: (name: string, fields: object) => void}} tracker
 * @param {() => number} now  the kernel's time, seconds
 */
export function rowsPanel(model, root, query, bulk, tracker, now) {
  const table = h("table", "gw-jobs");
  const thead = h("thead");
  const headRow = h("tr");
  const selectAll = h("input", "gw-select-all");
  selectAll.type = "checkbox";
  selectAll.title = "Select the jobs on this page";
  headRow.append(cell("th", selectAll));
  /** @type {Record<string, HTMLElement>} */
  const headers = {};
  for (const [key, title, sortable] of COLUMNS) {
    const th = h("th", "gw-col-" + key, String(title));
    if (sortable) {
      th.classList.add("gw-sortable");
      th.addEventListener("click", () => {
        const q = model.get("query") || {};
        query({ sort: String(key), descending: q.sort === key ? !q.descending : key === "id", page: 0 });
      });
    }
    headers[String(key)] = th;
    headRow.append(th);
  }
  headRow.append(h("th", "gw-col-actions", "Actions"));
  thead.append(headRow);
  const tbody = h("tbody");
  table.append(thead, tbody);
  const scroller = h("div", "gw-scroll"); // a narrow output area scrolls the table, not the page
  scroller.append(table);
  const empty = h("div", "gw-empty");

  selectAll.addEventListener("change", () => {
    for (const row of model.get("rows") || []) {
      if (selectAll.checked) bulk.selected.add(row.id);
      else bulk.selected.delete(row.id);
    }
    draw();
  });

  /** @param {"td" | "th"} tag @param {HTMLElement} [child] */
  function cell(tag, child) {
    const c = h(tag);
    if (child) c.append(child);
    return c;
  }

  /** @param {import("../lib/types.js").Row} row */
  function rowActions(row) {
    const box = h("span", "gw-row-actions");
    const can = new Set(row.actions);
    const send = (/** @type {string} */ name) => tracker.send(name, { ids: [row.id] });
    const open = button("Open", "gw-open", () => send("open"));
    const kill = button("Kill", "gw-kill", () =>
      askConfirm(bulk.confirmBox, `Kill job ${row.id}${row.name ? ` "${row.name}"` : ""}?`,
        "Yes, kill", () => send("kill")));
    const resubmit = button("Resubmit", "gw-resubmit", () => send("resubmit"));
    resubmit.title = "Resubmit the failed subjobs (their output is kept in previous-attempts/)";
    const remove = button("Remove", "gw-remove", () => {
      bulk.selected.clear();
      bulk.selected.add(row.id);
      bulk.confirm("remove");
    });
    open.disabled = !can.has("open");
    kill.disabled = !can.has("kill");
    resubmit.disabled = !can.has("resubmit");
    remove.disabled = !can.has("remove");
    box.append(open, kill, resubmit, remove);
    return box;
  }

  /** @param {import("../lib/types.js").Row} row */
  function rowElement(row) {
    const tr = h("tr", "gw-row " + statusClass(row.status));
    tr.dataset.id = String(row.id);
    tr.dataset.status = row.status;
    const check = h("input", "gw-select");
    check.type = "checkbox";
    check.checked = bulk.selected.has(row.id);
    check.addEventListener("change", () => {
      if (check.checked) bulk.selected.add(row.id);
      else bulk.selected.delete(row.id);
      bulk.draw();
    });
    tr.append(cell("td", check), h("td", "gw-col-id", String(row.id)));
    const name = h("td", "gw-col-name", row.error || row.name);
    name.title = row.comment || "";
    if (row.error) name.classList.add("gw-unreadable");
    tr.append(name, h("td", "gw-col-application", row.application), h("td", "gw-col-backend", row.backend));
    tr.append(cell("td", h("span", "gw-badge " + statusClass(row.status), row.status)));
    const subjobsCell = h("td", "gw-col-subjobs");
    if (row.subjobs) {
      const bar = h("div", "gw-bar gw-row-bar");
      fillBar(bar, row.counts, vocabulary(model).order);
      const done = countIn(row.counts, vocabulary(model).sets.completed);
      subjobsCell.append(bar, h("span", "gw-row-count", `${done}/${row.subjobs}`));
    }
    tr.append(subjobsCell);
    const t = row.times || {};
    tr.append(h("td", "gw-col-submitted", row.times ? clockTime(t.submitted) : ""));
    const dur = h("td", "gw-col-duration", "");
    dur.dataset.started = String(t.started ?? t.submitted ?? "");
    dur.dataset.finished = String(t.finished ?? "");
    tr.append(dur, cell("td", rowActions(row)));
    return tr;
  }

  function drawDurations() {
    const to = now();
    for (const td of tbody.querySelectorAll(".gw-col-duration")) {
      const data = /** @type {HTMLElement} */ (td).dataset;
      const from = Number(data.started);
      td.textContent = data.started ? duration((data.finished ? Number(data.finished) : to) - from) : "";
    }
  }

  function draw() {
    /** @type {import("../lib/types.js").Row[]} */
    const rows = model.get("rows") || [];
    tbody.replaceChildren(...rows.map(rowElement));
    empty.textContent = rows.length ? "" : "No job matches.";
    empty.hidden = rows.length > 0;
    root.dataset.rows = String(rows.length);
    selectAll.checked = rows.length > 0 && rows.every((r) => bulk.selected.has(r.id));
    drawDurations();
    bulk.draw();
  }

  /**
   * Python sent only the rows that changed: replace those, and keep the model current for
   * any other view of this table.
   * @param {import("../lib/types.js").Row[]} changed
   */
  function patch(changed) {
    const byId = new Map(changed.map((r) => [r.id, r]));
    const rows = (model.get("rows") || []).map((/** @type {import("../lib/types.js").Row} */ r) => byId.get(r.id) || r);
    model.set("rows", rows);
    for (const row of changed) {
      const old = tbody.querySelector(`tr[data-id="${row.id}"]`);
      if (old) old.replaceWith(rowElement(row));
    }
    drawDurations();
  }

  function drawSort() {
    const q = model.get("query") || {};
    for (const [key, th] of Object.entries(headers)) {
      th.dataset.sort = q.sort === key ? (q.descending ? "desc" : "asc") : "";
    }
  }

  return { elements: [scroller, empty], draw, patch, drawDurations, drawSort };
}

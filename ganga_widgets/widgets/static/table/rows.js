// @ts-check
import { fillBar } from "../lib/bar.js";
import { askConfirm, button, h, statusClass } from "../lib/dom.js";
import { clockTime, duration } from "../lib/format.js";
import { popupMenu } from "../lib/menu.js";
import { readOnlyReason } from "../lib/sharing.js";
import { countIn, vocabulary } from "../lib/vocabulary.js";

const COLUMNS = [
  // [key, title, sortable]
  ["id", "ID", true], ["name", "Name", true], ["application", "Application", true],
  ["backend", "Backend", true], ["status", "Status", true], ["subjobs", "Subjobs", true],
  ["submitted", "Submitted", false], ["duration", "Duration", false],
];
// Columns a narrow table hides (widgets.css, by the table's own width) and shows instead on
// the name's second line.
const FOLDED = ["application", "backend", "submitted", "duration"];

/** "job 3 \"fit\"": how a question or a button names a row's job. @param {import("../lib/types.js").Row} row */
function named(row) {
  return `job ${row.id}${row.name ? ` "${row.name}"` : ""}`;
}

/**
 * The page of jobs: sortable columns, one row per job with its subjob bar and duration, and
 * a menu of the row's actions, enabled as Python says (each row's `actions`). Rows Python
 * patches are replaced alone.
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
    const th = h("th", "gw-col-" + key, sortable ? undefined : String(title));
    if (sortable) {
      th.classList.add("gw-sortable");
      th.append(button(String(title), "gw-sort", () => {
        const q = model.get("query") || {};
        query({ sort: String(key), descending: q.sort === key ? !q.descending : key === "id", page: 0 });
      }));
    }
    headers[String(key)] = th;
    headRow.append(th);
  }
  headRow.append(h("th", "gw-col-actions", "Actions"));
  const menu = popupMenu(root);
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

  /**
   * The row's actions, each with why it cannot be chosen now where Python does not allow it
   * (or the view is read-only: opening a job only shows it).
   * @param {import("../lib/types.js").Row} row
   * @returns {import("../lib/menu.js").MenuItem[]}
   */
  function rowActions(row) {
    const can = new Set(row.actions);
    const readOnly = readOnlyReason(model);
    const send = (/** @type {string} */ name) => tracker.send(name, { ids: [row.id] });
    /** @param {string} name @param {string} why */
    const unless = (name, why) => (name !== "open" && readOnly) || (can.has(name) ? ""
      : row.error ? "Ganga cannot read this job" : why);
    return [
      { label: "Open", className: "gw-open", title: `Show ${named(row)} in full below the table`,
        unavailable: unless("open", "Cannot be opened now"), run: () => send("open") },
      { label: "Kill", className: "gw-kill",
        unavailable: unless("kill", `Nothing to kill: the job is ${row.status}, not in the batch system`),
        run: () => {
          askConfirm(bulk.confirmBox, `Kill ${named(row)}?`, "Yes, kill", () => send("kill"));
          focusConfirm();
        } },
      { label: "Resubmit failed", className: "gw-resubmit",
        title: "Resubmit the failed subjobs (their output is kept in previous-attempts/)",
        unavailable: unless("resubmit", "Nothing failed to resubmit"), run: () => send("resubmit") },
      { label: "Remove", className: "gw-remove",
        title: "Delete the job from the registry with all its files (asks first)",
        unavailable: unless("remove", "Cannot be removed now"),
        run: () => {
          bulk.selected.clear();
          bulk.selected.add(row.id);
          bulk.confirm("remove");
          focusConfirm();
        } },
    ];
  }

  /** A question asked from the menu: the keyboard goes on to its answer. */
  function focusConfirm() {
    bulk.confirmBox.querySelector("button")?.focus();
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
    const name = h("td", "gw-col-name");
    const label = h("span", "gw-name-text", row.error || row.name);
    label.title = row.comment || "";
    if (row.error) label.classList.add("gw-unreadable");
    const t = row.times || {};
    const since = String(t.started ?? t.submitted ?? "");
    const folded = h("div", "gw-folded"); // the hidden columns' values, where they are hidden
    /** @type {Record<string, string>} */
    const values = {
      application: row.application, backend: row.backend,
      submitted: row.times && t.submitted ? `submitted ${clockTime(t.submitted)}` : "",
    };
    for (const key of FOLDED) {
      const part = h("span", "gw-folded-" + key, values[key] || "");
      if (key === "duration") Object.assign(part.dataset, { started: since, finished: String(t.finished ?? "") });
      folded.append(part);
    }
    name.append(label, folded);
    tr.append(name, h("td", "gw-col-application", row.application), h("td", "gw-col-backend", row.backend));
    const statusCell = cell("td", h("span", "gw-badge " + statusClass(row.status), row.status));
    statusCell.className = "gw-col-status";
    tr.append(statusCell);
    const subjobsCell = h("td", "gw-col-subjobs");
    if (row.subjobs) {
      const bar = h("div", "gw-bar gw-row-bar");
      fillBar(bar, row.counts, vocabulary(model).order);
      const done = countIn(row.counts, vocabulary(model).sets.completed);
      subjobsCell.append(bar, h("span", "gw-row-count", `${done}/${row.subjobs}`));
    }
    tr.append(subjobsCell);
    tr.append(h("td", "gw-col-submitted", row.times ? clockTime(t.submitted) : ""));
    const dur = h("td", "gw-col-duration", "");
    Object.assign(dur.dataset, { started: since, finished: String(t.finished ?? "") });
    const actions = cell("td", menu.trigger("Actions", `Actions for ${named(row)}`, String(row.id),
      () => rowActions(row)));
    actions.className = "gw-col-actions";
    tr.append(dur, actions);
    return tr;
  }

  function drawDurations() {
    const to = now();
    for (const el of tbody.querySelectorAll(".gw-col-duration, .gw-folded-duration")) {
      const data = /** @type {HTMLElement} */ (el).dataset;
      const took = data.started ? duration((data.finished ? Number(data.finished) : to) - Number(data.started)) : "";
      el.textContent = took && el.classList.contains("gw-folded-duration") ? `for ${took}` : took;
    }
  }

  function draw() {
    /** @type {import("../lib/types.js").Row[]} */
    const rows = model.get("rows") || [];
    tbody.replaceChildren(...rows.map(rowElement));
    menu.follow();
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
    menu.follow();
    drawDurations();
  }

  function drawSort() {
    const q = model.get("query") || {};
    for (const [key, th] of Object.entries(headers)) {
      const sort = q.sort === key ? (q.descending ? "desc" : "asc") : "";
      th.dataset.sort = sort;
      if (sort) th.setAttribute("aria-sort", sort === "asc" ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
  }

  return { elements: [scroller, empty], draw, patch, drawDurations, drawSort, stop: menu.close };
}

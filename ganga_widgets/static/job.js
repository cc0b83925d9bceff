// JobWidget view: draws what Python computed (see ganga_widgets/job_model.py); holds no job
// logic. Helpers (h, button, duration, fillBar, ...) come from common.js. The DOM is queried
// only under this view's own root, so several widgets can share a page.

const ACTION_LABELS = {
  kill: "Kill job", kill_subjob: "Kill subjob", resubmit: "Resubmit failed",
  hold: "Hold", release: "Release", release_held: "Release held", why_idle: "Why idle?",
};
const TAIL_COLLAPSED_LINES = 12;

// The per-subjob grid: one cell per subjob on a canvas (10,000 subjobs are 10,000 small
// squares, not 10,000 DOM nodes). Only cells whose status changed are redrawn.
class Grid {
  constructor(root, onSelect, onHover) {
    this.root = root;
    this.canvas = h("canvas", "gw-grid");
    this.canvas.setAttribute("role", "img");
    this.codes = "";
    this.selected = -1;
    this.pitch = 12;
    this.cols = 1;
    this.colors = {};
    this.canvas.addEventListener("click", (e) => {
      const i = this.indexAt(e);
      if (i >= 0) onSelect(i);
    });
    this.canvas.addEventListener("mousemove", (e) => onHover(this.indexAt(e)));
    this.canvas.addEventListener("mouseleave", () => onHover(-1));
  }

  indexAt(e) {
    const rect = this.canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - rect.left) / this.pitch);
    const row = Math.floor((e.clientY - rect.top) / this.pitch);
    const i = row * this.cols + col;
    return col >= 0 && col < this.cols && i >= 0 && i < this.codes.length ? i : -1;
  }

  // Center of cell i relative to the canvas (browser tests click there).
  cellOffset(i) {
    return {
      x: (i % this.cols) * this.pitch + this.pitch / 2,
      y: Math.floor(i / this.cols) * this.pitch + this.pitch / 2,
    };
  }

  color(code, legend) {
    if (!(code in this.colors)) {
      const status = legend[code] || "unknown";
      const style = getComputedStyle(this.root);
      this.colors[code] =
        style.getPropertyValue("--gw-" + status).trim() || style.getPropertyValue("--gw-unknown").trim() || "#999";
    }
    return this.colors[code];
  }

  update(codes, selected, legend) {
    const width = Math.max(120, this.root.clientWidth - 4 || 600);
    const n = codes.length;
    // Cells shrink as the job grows so the grid stays within ~240 px of height.
    const pitch = Math.max(3, Math.min(14, Math.floor(Math.sqrt((width * 240) / Math.max(n, 1)))));
    const cols = Math.max(1, Math.floor(width / pitch));
    const layoutChanged = pitch !== this.pitch || cols !== this.cols || n !== this.codes.length;
    const ctx = this.canvas.getContext("2d");
    if (layoutChanged) {
      this.pitch = pitch;
      this.cols = cols;
      const rows = Math.ceil(n / cols);
      const ratio = window.devicePixelRatio || 1;
      this.canvas.width = cols * pitch * ratio;
      this.canvas.height = Math.max(rows, 1) * pitch * ratio;
      this.canvas.style.width = cols * pitch + "px";
      this.canvas.style.height = Math.max(rows, 1) * pitch + "px";
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    }
    const gap = pitch >= 8 ? 2 : pitch >= 5 ? 1 : 0;
    const draw = (i, code) => {
      const x = (i % cols) * pitch, y = Math.floor(i / cols) * pitch;
      ctx.clearRect(x, y, pitch, pitch);
      ctx.fillStyle = this.color(code, legend);
      ctx.fillRect(x, y, pitch - gap, pitch - gap);
      if (i === selected) {
        ctx.strokeStyle = this.color("selected", { selected: "selected" }); // --gw-selected
        ctx.lineWidth = Math.max(1, Math.min(2, pitch / 5));
        ctx.strokeRect(x + 0.5, y + 0.5, pitch - gap - 1, pitch - gap - 1);
      }
    };
    const old = layoutChanged ? "" : this.codes;
    for (let i = 0; i < n; i++) {
      if (old[i] !== codes[i] || i === selected || i === this.selected) draw(i, codes[i]);
    }
    this.codes = codes;
    this.selected = selected;
    this.canvas.setAttribute("aria-label", `${n} subjobs`);
  }
}

function render({ model, el }) {
  const started = performance.now();
  const root = h("div", "gw-job");
  el.appendChild(root);

  // -- skeleton ------------------------------------------------------------------------------
  const header = h("div", "gw-header");
  const title = h("span", "gw-title");
  const name = h("span", "gw-name");
  const meta = h("span", "gw-meta");
  const badge = h("span", "gw-badge");
  header.append(title, name, meta, badge);

  const timesRow = h("div", "gw-times");
  const timeCells = {};
  for (const [key, label] of [["submitted", "Submitted"], ["started", "Started"], ["finished", "Finished"], ["elapsed", "Elapsed"]]) {
    const item = h("span", "gw-time");
    item.append(h("span", "gw-label", label + " "));
    timeCells[key] = h("span", "gw-value gw-time-" + key, "—");
    item.append(timeCells[key]);
    timesRow.append(item);
  }

  const notice = h("div", "gw-notice");
  const bar = h("div", "gw-bar");
  const countsRow = h("div", "gw-counts");

  const gridBox = h("div", "gw-gridbox");
  const hover = h("div", "gw-hover", "");
  const grid = new Grid(
    root,
    (i) => model.send({ type: "select", subjob: i }),
    (i) => {
      const codes = model.get("cells");
      hover.textContent = i >= 0 ? `subjob ${i}: ${model.get("legend")[codes[i]] || "unknown"}` : "";
    },
  );
  gridBox.append(grid.canvas, hover);

  // actions, with an inline confirmation for anything destructive
  const actionsRow = h("div", "gw-actions");
  const killButton = button("Kill job", "gw-kill", () => confirm("kill"));
  const resubmitButton = button("Resubmit failed", "gw-resubmit", () => send("resubmit"));
  const releaseHeldButton = button("Release held", "gw-release-held", () => send("release_held"));
  const confirmBox = h("span", "gw-confirm");
  const actionStatus = h("span", "gw-action-status");
  actionsRow.append(killButton, resubmitButton, releaseHeldButton, confirmBox, actionStatus);

  const failuresBox = h("div", "gw-failures");
  const heldBox = h("div", "gw-held");

  const detailBox = h("div", "gw-detail");
  const detailHead = h("div", "gw-detail-head");
  const detailTitle = h("span", "gw-detail-title");
  const detailInfo = h("span", "gw-detail-info");
  const followButton = button("Follow automatically", "gw-follow", () => model.send({ type: "select", subjob: -1 }));
  const killSubjobButton = button("Kill subjob", "gw-kill-subjob", () => confirm("kill_subjob"));
  const subject = () => (model.get("detail") || {}).subjob ?? null;
  const holdButton = button("Hold", "gw-hold", () => send("hold", subject()));
  const releaseButton = button("Release", "gw-release", () => send("release", subject()));
  const whyIdleButton = button("Why idle?", "gw-why-idle", () => send("why_idle", subject()));
  detailHead.append(detailTitle, detailInfo, followButton, whyIdleButton, holdButton,
    releaseButton, killSubjobButton);
  const condorRow = h("div", "gw-condor");
  const holdBox = h("div", "gw-hold-reason");
  const analysisBox = h("div", "gw-analysis");
  const analysisTitle = h("span", "gw-analysis-title");
  const analysisText = h("pre", "gw-analysis-text");
  analysisBox.append(analysisTitle, button("Close", "gw-analysis-close", () => {
    closedAnalysis = (model.get("analysis") || {}).at;
    drawAnalysis();
  }), analysisText);
  const exitBox = h("div", "gw-exit");
  const tracebackBox = h("pre", "gw-traceback");
  const tailHead = h("div", "gw-tail-head");
  const tailLabel = h("span", "gw-tail-label");
  const expandButton = button("Expand", "gw-expand", () => {
    expanded = !expanded;
    drawTail();
  });
  tailHead.append(tailLabel, expandButton);
  const tail = h("pre", "gw-tail");
  detailBox.append(detailHead, condorRow, holdBox, exitBox, tracebackBox, analysisBox, tailHead,
    tail);

  root.append(header, timesRow, notice, bar, countsRow, gridBox, actionsRow, failuresBox, heldBox,
    detailBox);

  // -- actions -------------------------------------------------------------------------------
  let expanded = false;
  let closedAnalysis = null; // the analysis the user closed (by its time)
  const tracker = actionTracker(model, actionStatus, root, ACTION_LABELS);
  const drawAction = tracker.draw;

  function send(name, subjob) {
    confirmBox.replaceChildren();
    tracker.send(name, { subjob: subjob ?? null });
  }

  function confirm(name) {
    const s = model.get("summary");
    const d = model.get("detail");
    let question;
    if (name === "kill") {
      const c = model.get("counts");
      const active = (c.running || 0) + (c.submitted || 0) + (c.submitting || 0) + (c.idle || 0) + (c.held || 0);
      question = s.subjobs ? `Kill job ${s.fqid} and its ${active} unfinished subjobs?` : `Kill job ${s.fqid}?`;
    } else {
      question = `Kill subjob ${d.fqid}?`;
    }
    askConfirm(confirmBox, question, "Yes, kill", () => send(name, name === "kill_subjob" ? d.subjob : null));
  }

  // -- drawing -------------------------------------------------------------------------------
  let clockOffset = 0; // kernel clock minus browser clock, seconds

  function drawSummary() {
    const s = model.get("summary") || {};
    title.textContent = `Job ${s.fqid ?? "?"}`;
    name.textContent = s.name ? s.name : "";
    name.title = s.comment || "";
    meta.textContent = [s.application, s.backend].filter(Boolean).join(" · ");
    badge.textContent = s.status || "unknown";
    badge.className = "gw-badge " + statusClass(s.status);
    root.dataset.status = s.status || "";
    root.dataset.job = s.fqid ?? "";
    drawTimes();
  }

  function drawTimes() {
    const t = (model.get("summary") || {}).times || {};
    timeCells.submitted.textContent = clockTime(t.submitted);
    timeCells.started.textContent = clockTime(t.started);
    timeCells.finished.textContent = clockTime(t.finished);
    const now = Date.now() / 1000 + clockOffset;
    const from = t.started ?? t.submitted;
    timeCells.elapsed.textContent = from == null ? "—" : duration((t.finished ?? now) - from);
  }

  function drawCounts() {
    const counts = model.get("counts") || {};
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const summary = model.get("summary") || {};
    const hasSubjobs = (summary.subjobs || 0) > 0;
    fillBar(bar, counts);
    countsRow.replaceChildren();
    bar.hidden = countsRow.hidden = !hasSubjobs;
    gridBox.hidden = !hasSubjobs;
    root.dataset.counts = JSON.stringify(counts);
    if (!hasSubjobs) return;
    for (const status of ORDER) {
      const n = counts[status];
      if (!n) continue;
      const chip = h("span", "gw-count " + statusClass(status));
      chip.append(h("span", "gw-dot"), h("span", "gw-n", String(n)), h("span", "gw-k", " " + status));
      chip.dataset.status = status;
      countsRow.append(chip);
    }
    countsRow.append(h("span", "gw-total", `of ${total} subjobs`));
    grid.update(model.get("cells") || "", model.get("selected"), model.get("legend") || {});
    root.dataset.selected = String(model.get("selected"));
  }

  function drawButtons() {
    const can = model.get("can") || {};
    killButton.disabled = !can.kill;
    resubmitButton.disabled = !can.resubmit;
    releaseHeldButton.hidden = !can.release_held;
    const held = (model.get("counts") || {}).held || 0;
    releaseHeldButton.textContent = `Release held (${held})`;
    const failed = (model.get("counts") || {}).failed || 0;
    resubmitButton.textContent = failed ? `Resubmit failed (${failed})` : "Resubmit failed";
  }

  function drawNotice() {
    const text = model.get("notice") || "";
    notice.textContent = text;
    notice.hidden = !text;
  }

  function drawFailures() {
    const items = model.get("failures") || [];
    const failed = (model.get("counts") || {}).failed || 0;
    failuresBox.replaceChildren();
    failuresBox.hidden = items.length === 0;
    if (!items.length) return;
    const more = failed > items.length ? ` (first ${items.length} shown)` : "";
    failuresBox.append(h("div", "gw-failures-title", `${failed} failed subjob${failed === 1 ? "" : "s"}${more}`));
    for (const f of items) {
      const row = h("div", "gw-failure");
      const e = f.call_error;
      row.append(
        h("span", "gw-failure-id", `subjob ${f.fqid}`),
        h("span", "gw-failure-exit", e ? `raised ${e.type}: ${e.message}`
          : f.exit_code == null ? "no exit code" : `exit code ${f.exit_code}`),
      );
      const lines = h("pre", "gw-failure-tail", e ? e.traceback : f.tail || f.error || "(empty stderr)");
      row.append(lines);
      row.addEventListener("click", () => model.send({ type: "select", subjob: f.subjob }));
      failuresBox.append(row);
    }
  }

  function drawHeld() {
    const groups = model.get("held") || [];
    heldBox.replaceChildren();
    heldBox.hidden = groups.length === 0;
    const total = groups.reduce((n, g) => n + g.count, 0);
    root.dataset.held = String(total);
    if (!groups.length) return;
    heldBox.append(h("div", "gw-held-title", `${total} held subjob${total === 1 ? "" : "s"}`));
    for (const g of groups) {
      const row = h("div", "gw-held-group");
      const code = g.code == null ? "" : ` (code ${g.code}${g.subcode ? "." + g.subcode : ""})`;
      const which = g.subjobs.join(", ") + (g.count > g.subjobs.length ? ", ..." : "");
      row.append(
        h("span", "gw-held-count", `${g.count} × held${code}`),
        h("span", "gw-held-which", ` subjob${g.count === 1 ? "" : "s"} ${which}`),
        h("div", "gw-held-text", g.reason || "(no reason given)"),
      );
      row.addEventListener("click", () => model.send({ type: "select", subjob: g.subjobs[0] }));
      heldBox.append(row);
    }
  }

  function drawCondor(d) {
    const c = d.condor;
    condorRow.hidden = !c;
    holdBox.hidden = !c || c.status !== "held";
    whyIdleButton.hidden = !c || !c.why_idle;
    holdButton.hidden = !c || !c.can_hold;
    releaseButton.hidden = !c || !c.can_release;
    root.dataset.condorStatus = c ? c.status : "";
    if (!c) return;
    const parts = [`HTCondor ${d.backend_id ?? ""}: ${c.status}`];
    if (c.status === "idle" && c.idle_for != null) parts[0] += ` for ${duration(c.idle_for)}`;
    if (c.slot || c.host) parts.push(`on ${c.slot || c.host}`);
    if (c.memory_mb != null) {
      const peak = c.memory_peak_mb != null && c.memory_peak_mb > c.memory_mb ? ` (peak ${c.memory_peak_mb} MB)` : "";
      parts.push(`memory ${c.memory_mb} MB${peak}`);
    }
    if (c.cpu_s != null) parts.push(`CPU ${duration(c.cpu_s)}`);
    if (c.wall_s != null) parts.push(`wall ${duration(c.wall_s)}`);
    if (c.evictions) parts.push(`evicted ${c.evictions}×`);
    if (c.note) parts.push(c.note);
    condorRow.textContent = parts.join(" · ");
    const code = c.hold_code == null ? "" : ` (code ${c.hold_code}${c.hold_subcode ? "." + c.hold_subcode : ""})`;
    holdBox.textContent = `Held${code}: ${c.hold_reason || "no reason given"}`;
  }

  function drawAnalysis() {
    const a = model.get("analysis") || {};
    const d = model.get("detail") || {};
    const show = a.text && a.fqid === d.fqid && a.at !== closedAnalysis;
    analysisBox.hidden = !show;
    if (!show) return;
    analysisTitle.textContent = `Why is ${a.fqid} idle? The schedd's analysis:`;
    analysisText.textContent = a.text;
  }

  function drawDetail() {
    const d = model.get("detail") || {};
    const selected = model.get("selected");
    const isSubjob = d.subjob != null;
    detailTitle.textContent = isSubjob ? `Subjob ${d.fqid}` : `Job ${d.fqid ?? ""}`;
    const info = [d.status];
    if (d.host) info.push(`on ${d.host}`);
    if (d.backend_id != null && d.backend_id !== -1 && d.backend_id !== "") info.push(`id ${d.backend_id}`);
    if (isSubjob) info.push(selected === -1 ? "(followed automatically)" : "(selected)");
    detailInfo.textContent = info.filter(Boolean).join(" · ");
    followButton.hidden = !isSubjob || selected === -1;
    killSubjobButton.hidden = !isSubjob;
    killSubjobButton.disabled = !d.can_kill;
    const failed = d.status === "failed" || d.status === "failed_frozen";
    const e = d.call_error;
    exitBox.hidden = !(failed || e || (d.exit_code != null && d.exit_code !== 0));
    exitBox.textContent = e ? `raised ${e.type}: ${e.message}` + (e.host ? ` (on ${e.host})` : "")
      : d.exit_code == null ? `${d.status}: no exit code recorded` : `${d.status} with exit code ${d.exit_code}`;
    // The worker prints the traceback to stderr too: show it once.
    const lastLine = e ? e.traceback.trim().split("\n").pop() : "";
    const inTail = !!lastLine && ((d.stderr || {}).text || "").includes(lastLine);
    tracebackBox.hidden = !(e && e.traceback) || inTail;
    tracebackBox.textContent = e ? e.traceback : "";
    detailBox.classList.toggle("gw-failed", failed);
    root.dataset.detailStatus = d.status || "";
    drawCondor(d);
    drawAnalysis();
    drawTail();
  }

  function drawTail() {
    const d = model.get("detail") || {};
    const e = d.stderr || {};
    const lines = (e.text || "").split("\n");
    const shown = expanded ? lines : lines.slice(-TAIL_COLLAPSED_LINES);
    tail.textContent = e.error ? "" : shown.join("\n");
    tail.hidden = !!e.error || !e.text;
    tail.classList.toggle("gw-expanded", expanded);
    expandButton.hidden = !!e.error || lines.length <= TAIL_COLLAPSED_LINES;
    expandButton.textContent = expanded ? "Collapse" : `Expand (${lines.length} lines)`;
    const where = e.source === "live" ? "live" : "output";
    let label = "stderr";
    if (e.error) label += ` — ${e.error}`;
    else if (!e.text) label += " — empty";
    else label += ` (${where}) — last ${e.lines} lines` + (e.truncated ? ` of ${bytes(e.size)}` : "");
    tailLabel.textContent = label;
    if (!expanded) tail.scrollTop = tail.scrollHeight;
  }

  function drawAll() {
    clockOffset = (model.get("clock") || Date.now() / 1000) - Date.now() / 1000;
    drawSummary();
    drawNotice();
    drawCounts();
    drawButtons();
    drawFailures();
    drawHeld();
    drawDetail();
    drawAction();
  }

  const handlers = {
    "change:summary": () => { drawSummary(); drawCounts(); drawButtons(); },
    "change:counts": () => { drawCounts(); drawButtons(); drawFailures(); },
    "change:cells": drawCounts,
    "change:selected": () => { drawCounts(); drawDetail(); },
    "change:detail": drawDetail,
    "change:failures": drawFailures,
    "change:held": drawHeld,
    "change:analysis": drawAnalysis,
    "change:can": drawButtons,
    "change:notice": drawNotice,
    "change:action": drawAction,
    "change:clock": () => { clockOffset = model.get("clock") - Date.now() / 1000; drawTimes(); },
  };
  const profile = profiler("job");
  const bound = Object.entries(handlers).map(([event, fn]) => [event, profile.wrap(fn)]);
  for (const [event, fn] of bound) model.on(event, fn);
  drawAll();
  // Elapsed time ticks here, not by messages from the kernel.
  const timer = setInterval(drawTimes, 1000);
  // The grid's width follows the output area's width.
  const resize = new ResizeObserver(() => grid.update(model.get("cells") || "", model.get("selected"), model.get("legend") || {}));
  resize.observe(root);
  root.__gwGrid = grid; // for browser tests: where to click subjob i
  profile.render(started);

  return () => {
    clearInterval(timer);
    resize.disconnect();
    for (const [event, fn] of bound) model.off(event, fn);
  };
}

export default { render };

// @ts-check
import { button, h } from "../lib/dom.js";
import { bytes, clockTime, duration } from "../lib/format.js";
import { offer, readOnlyReason } from "../lib/sharing.js";
import { vocabulary } from "../lib/vocabulary.js";

const TAIL_COLLAPSED_LINES = 12;

/**
 * One (sub)job in detail: status, host, exit code or exception, what HTCondor says (memory,
 * hold reason, the schedd's "why idle?" analysis) and the end of its stderr, with buttons
 * for that subjob.
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 * @param {{send: (name: string, subjob?: number | null) => void, confirm: (name: string) => void}} actions
 */
export function detailPanel(model, root, actions) {
  const box = h("div", "gw-detail");
  const head = h("div", "gw-detail-head");
  const title = h("span", "gw-detail-title");
  const info = h("span", "gw-detail-info");
  const followButton = button("Follow automatically", "gw-follow", () =>
    model.send({ type: "select", subjob: -1 }));
  const killSubjobButton = button("Kill subjob", "gw-kill-subjob", () => actions.confirm("kill_subjob"));
  const subject = () => (model.get("detail") || {}).subjob ?? null;
  const holdButton = button("Hold", "gw-hold", () => actions.send("hold", subject()));
  const releaseButton = button("Release", "gw-release", () => actions.send("release", subject()));
  const whyIdleButton = button("Why idle?", "gw-why-idle", () => actions.send("why_idle", subject()));
  head.append(title, info, followButton, whyIdleButton, holdButton, releaseButton, killSubjobButton);
  const condorRow = h("div", "gw-condor");
  const connectionBox = h("div", "gw-connection");
  const historyRow = h("div", "gw-history");
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
  box.append(head, condorRow, connectionBox, historyRow, holdBox, exitBox, tracebackBox, analysisBox, tailHead, tail);

  let expanded = false;
  /** @type {number | null} the analysis the user closed (by its time) */
  let closedAnalysis = null;

  /** @param {import("../lib/types.js").Detail} d */
  function drawCondor(d) {
    const c = d.condor;
    condorRow.hidden = !c;
    connectionBox.hidden = historyRow.hidden = true;  // shown below when there is something
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
      const higher = c.memory_peak_mb != null && c.memory_peak_mb > c.memory_mb;
      parts.push(`memory ${c.memory_mb} MB${higher ? ` (peak ${c.memory_peak_mb} MB)` : ""}`);
    }
    if (c.cpu_s != null) parts.push(`CPU ${duration(c.cpu_s)}`);
    if (c.wall_s != null) parts.push(`wall ${duration(c.wall_s)}`);
    if (c.memory_request_mb != null) parts.push(`requested ${c.memory_request_mb} MB`);
    if (c.evictions) parts.push(`evicted ${c.evictions}×`);
    if (c.note && c.disconnected_at == null) parts.push(c.note);
    condorRow.textContent = parts.join(" · ");
    connectionBox.hidden = c.disconnected_at == null;
    root.dataset.disconnected = c.disconnected_at == null ? "" : "yes";
    if (c.disconnected_at != null) {
      const lease = c.gives_up_at == null ? "" :
        `; HTCondor gives up at ${clockTime(c.gives_up_at)} (job lease ${duration(c.lease_s)}) unless it reconnects`;
      connectionBox.textContent =
        `Disconnected from its execute node since ${clockTime(c.disconnected_at)}${lease}`;
    }
    const history = c.history || [];
    historyRow.hidden = !history.length;
    historyRow.textContent = history.map(([when, what]) => `${clockTime(when)} ${what}`).join(" · ");
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

  function drawTail() {
    /** @type {import("../lib/types.js").Detail} */
    const d = model.get("detail") || {};
    const e = /** @type {Partial<import("../lib/types.js").Tail>} */ (d.stderr || {});
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
    else label += ` (${where}) — last ${e.lines} lines` + (e.truncated ? ` of ${bytes(e.size || 0)}` : "");
    tailLabel.textContent = label;
    if (!expanded) tail.scrollTop = tail.scrollHeight;
  }

  function draw() {
    /** @type {import("../lib/types.js").Detail} */
    const d = model.get("detail") || {};
    const selected = model.get("selected");
    const isSubjob = d.subjob != null;
    title.textContent = isSubjob ? `Subjob ${d.fqid}` : `Job ${d.fqid ?? ""}`;
    const parts = [d.status];
    if (d.host) parts.push(`on ${d.host}`);
    if (d.backend_id != null && d.backend_id !== -1 && d.backend_id !== "") parts.push(`id ${d.backend_id}`);
    if (isSubjob) parts.push(selected === -1 ? "(followed automatically)" : "(selected)");
    info.textContent = parts.filter(Boolean).join(" · ");
    followButton.hidden = !isSubjob || selected === -1;
    killSubjobButton.hidden = !isSubjob;
    offer(killSubjobButton, !!d.can_kill, readOnlyReason(model));
    const failed = vocabulary(model).sets.failed.includes(d.status || "");
    const e = d.call_error;
    exitBox.hidden = !(failed || e || (d.exit_code != null && d.exit_code !== 0));
    exitBox.textContent = e ? `raised ${e.type}: ${e.message}` + (e.host ? ` (on ${e.host})` : "")
      : d.exit_code == null ? `${d.status}: no exit code recorded` : `${d.status} with exit code ${d.exit_code}`;
    // The worker prints the traceback to stderr too: show it once.
    const lastLine = e ? e.traceback.trim().split("\n").pop() : "";
    const inTail = !!lastLine && ((d.stderr || {}).text || "").includes(lastLine);
    tracebackBox.hidden = !(e && e.traceback) || inTail;
    tracebackBox.textContent = e ? e.traceback : "";
    box.classList.toggle("gw-failed", failed);
    root.dataset.detailStatus = d.status || "";
    drawCondor(d);
    drawAnalysis();
    drawTail();
  }

  return { elements: [box], draw, drawAnalysis };
}

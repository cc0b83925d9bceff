// @ts-check
import { button, h } from "../lib/dom.js";
import { clockTime, duration } from "../lib/format.js";

const SVG = "http://www.w3.org/2000/svg";
const CHART_WIDTH = 240;
const CHART_HEIGHT = 48;

/**
 * Run statistics of a split job, collapsed until opened: opening asks Python for them (they
 * cost nothing until then), and from then on Python keeps them up to date. Python computes
 * every figure (ganga_widgets/jobdata/statistics.py); this only draws bars and numbers.
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 * @param {import("../lib/profile.js").Profiler} profile
 */
export function statisticsPanel(model, root, profile) {
  const box = h("details", "gw-stats");
  const summary = h("summary", "gw-stats-title", "Statistics");
  const body = h("div", "gw-stats-body");
  box.append(summary, body);
  let asked = false;
  box.addEventListener("toggle", () => {
    root.dataset.statsOpen = box.open ? "yes" : "";
    if (box.open && !asked) {
      asked = true;
      model.send({ type: "statistics" });
    }
  });

  function draw() {
    const started = performance.now();
    const summaryTrait = model.get("summary") || {};
    box.hidden = !summaryTrait.subjobs;
    /** @type {import("../lib/types.js").Stats} */
    const s = model.get("stats") || {};
    root.dataset.stats = s.subjobs == null ? "" : String(s.subjobs);
    if (s.subjobs == null) {
      body.replaceChildren(h("div", "gw-stats-none", asked ? "computing…" : ""));
      return;
    }
    const rows = [
      figureRow("Runtime", s.runtime, duration, "gw-stats-runtime"),
      slowestRow(s.slowest || []),
      figureRow("Queue wait", s.queue, duration, "gw-stats-queue"),
      throughputRow(s.throughput),
      memoryRow(s.memory),
      figureRow("CPU efficiency", s.cpu_efficiency, percent, "gw-stats-cpu"),
      hostsRow(s.hosts),
    ];
    body.replaceChildren(...rows.filter((row) => row !== null));
    profile.measure("statistics", started);
  }

  /** @param {number} subjob */
  function select(subjob) {
    model.send({ type: "select", subjob });
  }

  /**
   * @param {{subjob: number, runtime_s: number}[]} slowest
   * @returns {HTMLElement | null}
   */
  function slowestRow(slowest) {
    if (!slowest.length) return null;
    const [row, content] = statsRow("Slowest", "gw-stats-slowest");
    for (const { subjob, runtime_s } of slowest) {
      content.append(button(`${subjob}: ${duration(runtime_s)}`, "gw-stats-subjob", () => select(subjob)));
    }
    return row;
  }

  return { elements: [box], draw };
}

/**
 * "Runtime: median 12s · 95% under 40s · 20 subjobs" and its histogram.
 * @param {string} label
 * @param {import("../lib/types.js").Described | null | undefined} d
 * @param {(x: number) => string} show
 * @param {string} className
 * @returns {HTMLElement | null}
 */
function figureRow(label, d, show, className) {
  if (!d) return null;
  const [row, content] = statsRow(label, className);
  const text = `median ${show(d.median)} · 95% under ${show(d.p95)} · ` +
    `${show(d.min)}–${show(d.max)} · ${d.count} subjob${d.count === 1 ? "" : "s"}`;
  content.append(h("div", "gw-stats-figures", text));
  if (d.histogram) content.append(histogram(d.histogram, show));
  return row;
}

/**
 * @param {import("../lib/types.js").Memory | null | undefined} m
 * @returns {HTMLElement | null}
 */
function memoryRow(m) {
  if (!m) return null;
  const mb = (/** @type {number} */ x) => `${Math.round(x)} MB`;
  const row = figureRow("Peak memory", m, mb, "gw-stats-memory");
  if (!row) return null;
  if (m.request_mb != null) {
    row.querySelector(".gw-stats-figures")?.append(` · requested ${mb(m.request_mb)}`);
    const chart = row.querySelector("svg");
    if (chart && m.histogram) markAt(chart, m.histogram, m.request_mb, "requested");
  }
  if (m.advice) row.lastElementChild?.append(h("div", "gw-stats-advice", m.advice.text));
  return row;
}

/**
 * @param {import("../lib/types.js").Timeline | null | undefined} t
 * @returns {HTMLElement | null}
 */
function throughputRow(t) {
  if (!t) return null;
  const [row, content] = statsRow("Ended", "gw-stats-throughput");
  const per = t.minutes_per_point === 1 ? "minute" : `${t.minutes_per_point} minutes`;
  const most = Math.max(...t.counts);
  content.append(h("div", "gw-stats-figures", `per ${per} from ${clockTime(t.start)}: up to ${most}`),
    bars(t.counts, (i) => `${clockTime(t.start + i * t.minutes_per_point * 60)}: ${t.counts[i]} ended`));
  return row;
}

/**
 * @param {{count: number, top: {host: string, subjobs: number}[], others: number} | undefined} hosts
 * @returns {HTMLElement | null}
 */
function hostsRow(hosts) {
  if (!hosts || !hosts.count) return null;
  const listed = hosts.top.map((x) => `${x.host} (${x.subjobs})`).join(", ");
  const more = hosts.others ? `, others (${hosts.others})` : "";
  const [row, content] = statsRow(`${hosts.count} host${hosts.count === 1 ? "" : "s"}`, "gw-stats-hosts");
  content.append(h("div", "gw-stats-figures", listed + more));
  return row;
}

/**
 * A row: its label on the left, what it says (returned, to fill) on the right.
 * @param {string} label
 * @param {string} className
 * @returns {[HTMLElement, HTMLElement]}
 */
function statsRow(label, className) {
  const row = h("div", "gw-stats-row " + className);
  const content = h("div", "gw-stats-content");
  row.append(h("span", "gw-stats-label", label), content);
  return [row, content];
}

/**
 * @param {{start: number, width: number, counts: number[]}} hist
 * @param {(x: number) => string} show
 */
function histogram(hist, show) {
  return bars(hist.counts, (i) =>
    `${show(hist.start + i * hist.width)}–${show(hist.start + (i + 1) * hist.width)}: ${hist.counts[i]}`);
}

/**
 * Bars for counts, each with its tooltip.
 * @param {number[]} counts
 * @param {(i: number) => string} tip
 */
function bars(counts, tip) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "gw-stats-chart");
  svg.setAttribute("width", String(CHART_WIDTH));
  svg.setAttribute("height", String(CHART_HEIGHT));
  svg.setAttribute("viewBox", `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`);
  const most = Math.max(1, ...counts);
  const w = CHART_WIDTH / Math.max(1, counts.length);
  counts.forEach((n, i) => {
    const height = n ? Math.max(1, (n / most) * (CHART_HEIGHT - 2)) : 0;
    const bar = document.createElementNS(SVG, "rect");
    bar.setAttribute("x", String(i * w + 0.5));
    bar.setAttribute("y", String(CHART_HEIGHT - height));
    bar.setAttribute("width", String(Math.max(1, w - 1)));
    bar.setAttribute("height", String(height));
    const title = document.createElementNS(SVG, "title");
    title.textContent = tip(i);
    bar.append(title);
    svg.append(bar);
  });
  return svg;
}

/**
 * A vertical line at value `x` of a histogram's chart.
 * @param {Element} svg
 * @param {{start: number, width: number, counts: number[]}} hist
 * @param {number} x
 * @param {string} label
 */
function markAt(svg, hist, x, label) {
  const span = hist.width * hist.counts.length;
  const at = Math.min(1, Math.max(0, (x - hist.start) / span)) * CHART_WIDTH;
  const line = document.createElementNS(SVG, "line");
  line.setAttribute("class", "gw-stats-mark");
  for (const [k, v] of [["x1", at], ["x2", at], ["y1", 0], ["y2", CHART_HEIGHT]]) {
    line.setAttribute(String(k), String(v));
  }
  const title = document.createElementNS(SVG, "title");
  title.textContent = label;
  line.append(title);
  svg.append(line);
}

/** @param {number} x a fraction */
function percent(x) {
  return `${Math.round(x * 100)}%`;
}

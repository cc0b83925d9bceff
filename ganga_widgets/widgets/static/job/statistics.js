// @ts-check
import { button, h } from "../lib/dom.js";
import { clockTime, duration } from "../lib/format.js";

const SVG = "http://www.w3.org/2000/svg";
// A chart: bars in a plot area, a count axis on its left, a value axis with ticks below it.
const WIDTH = 300;
const HEIGHT = 78;
const PLOT = { left: 34, right: 292, top: 12, bottom: 50 };
const TICKS = 4; // value ticks, at bin edges

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
      figureRow("Run time", s.runtime, duration, "gw-stats-runtime", "run time"),
      slowestRow(s.slowest || []),
      figureRow("Queue wait", s.queue, duration, "gw-stats-queue", "queue wait"),
      throughputRow(s.throughput),
      memoryRow(s.memory),
      figureRow("CPU efficiency", s.cpu_efficiency, percent, "gw-stats-cpu", "CPU time / wall time"),
      hostsRow(s.hosts),
    ];
    if (rows[0] && s.runtime_measures) { // what the run time is, said once
      rows[0].lastElementChild?.append(h("div", "gw-stats-measures", `Measured ${s.runtime_measures}.`));
    }
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
 * "Run time: median 12s · 95% under 40s · 20 subjobs" and its histogram.
 * @param {string} label
 * @param {import("../lib/types.js").Described | null | undefined} d
 * @param {(x: number) => string} show
 * @param {string} className
 * @param {string} axis  what the value axis measures
 * @returns {HTMLElement | null}
 */
function figureRow(label, d, show, className, axis) {
  if (!d) return null;
  const [row, content] = statsRow(label, className);
  const text = `median ${show(d.median)} · 95% under ${show(d.p95)} · ` +
    `${show(d.min)}–${show(d.max)} · ${d.count} subjob${d.count === 1 ? "" : "s"}`;
  content.append(h("div", "gw-stats-figures", text));
  if (d.histogram) content.append(histogram(d.histogram, show, axis));
  return row;
}

/**
 * @param {import("../lib/types.js").Memory | null | undefined} m
 * @returns {HTMLElement | null}
 */
function memoryRow(m) {
  if (!m) return null;
  const mb = (/** @type {number} */ x) => `${Math.round(x)} MB`;
  const row = figureRow("Peak memory", m, mb, "gw-stats-memory", "peak memory");
  if (!row) return null;
  if (m.request_mb != null) {
    row.querySelector(".gw-stats-figures")?.append(` · requested ${mb(m.request_mb)}`);
    const chart = row.querySelector("svg");
    if (chart && m.histogram) markAt(chart, m.histogram, m.request_mb, `requested ${mb(m.request_mb)}`);
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
  const step = t.minutes_per_point * 60;
  const hourMinute = (/** @type {number} */ x) => clockTime(x).slice(0, -3);
  content.append(h("div", "gw-stats-figures", `per ${per} from ${clockTime(t.start)}: up to ${most}`),
    chart(t.counts, (i) => `${clockTime(t.start + i * step)}: ${t.counts[i]} ended`,
      { start: t.start, width: step, show: hourMinute, axis: "time (ended per bar)" }));
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
 * A histogram's chart. Whole-number data (HTCondor's seconds) name each bin by the values
 * it holds: "3s–4s", or "3s" for a bin of one.
 * @param {import("../lib/types.js").Histogram} hist
 * @param {(x: number) => string} show
 * @param {string} axis
 */
function histogram(hist, show, axis) {
  const edge = (/** @type {number} */ i) => hist.start + i * hist.width;
  const tip = (/** @type {number} */ i) => {
    const n = hist.counts[i];
    if (hist.whole && hist.width === 1) return `${show(edge(i))}: ${n}`;
    if (hist.whole) return `${show(edge(i))}–${show(edge(i + 1) - 1)}: ${n}`;
    return `${show(edge(i))}–${show(edge(i + 1))}: ${n}`;
  };
  return chart(hist.counts, tip, { start: hist.start, width: hist.width, show, axis });
}

/**
 * Bars for counts (each with its tooltip), with a count axis ("subjobs": 0 and the most)
 * and a value axis: ticks at bin edges labelled with `show`, and what it measures.
 * @param {number[]} counts
 * @param {(i: number) => string} tip
 * @param {{start: number, width: number, show: (x: number) => string, axis: string}} x
 */
function chart(counts, tip, x) {
  const svg = svgElement("svg", { class: "gw-stats-chart", width: WIDTH, height: HEIGHT,
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img" });
  const most = Math.max(1, ...counts);
  const span = PLOT.right - PLOT.left;
  const w = span / Math.max(1, counts.length);
  counts.forEach((n, i) => {
    const height = n ? Math.max(1, (n / most) * (PLOT.bottom - PLOT.top)) : 0;
    const bar = svgElement("rect", { x: PLOT.left + i * w + 0.5, y: PLOT.bottom - height,
      width: Math.max(1, w - 1), height });
    bar.append(svgText("title", tip(i)));
    svg.append(bar);
  });
  svg.append(
    svgElement("line", { class: "gw-axis", x1: PLOT.left, x2: PLOT.left, y1: PLOT.top, y2: PLOT.bottom }),
    svgElement("line", { class: "gw-axis", x1: PLOT.left, x2: PLOT.right, y1: PLOT.bottom, y2: PLOT.bottom }),
    label(String(most), PLOT.left - 3, PLOT.top + 4, "end", "gw-tick"),
    label("0", PLOT.left - 3, PLOT.bottom, "end", "gw-tick"),
    label("subjobs", 0, 8, "start", "gw-axis-label"),
    label(x.axis, (PLOT.left + PLOT.right) / 2, HEIGHT - 2, "middle", "gw-axis-label"),
  );
  const every = Math.max(1, Math.ceil(counts.length / TICKS));
  for (let i = 0; i <= counts.length; i += every) {
    const at = PLOT.left + i * w;
    svg.append(svgElement("line", { class: "gw-axis", x1: at, x2: at, y1: PLOT.bottom, y2: PLOT.bottom + 3 }),
      label(x.show(x.start + i * x.width), at, PLOT.bottom + 13,
        i === 0 ? "start" : i === counts.length ? "end" : "middle", "gw-tick"));
  }
  return svg;
}

/**
 * A labelled mark at value `x` of a histogram's chart; a value off its scale is not drawn
 * at the edge as if it were there: an arrow at that edge says it is further.
 * @param {Element} svg
 * @param {import("../lib/types.js").Histogram} hist
 * @param {number} x
 * @param {string} text
 */
function markAt(svg, hist, x, text) {
  const end = hist.start + hist.width * hist.counts.length;
  const span = PLOT.right - PLOT.left;
  if (x < hist.start || x > end) {
    const right = x > end;
    svg.append(label(right ? `${text} ▶` : `◀ ${text}`, right ? PLOT.right : PLOT.left + 2,
      PLOT.top - 3, right ? "end" : "start", "gw-stats-mark-label gw-stats-offscale"));
    return;
  }
  const at = PLOT.left + ((x - hist.start) / (end - hist.start)) * span;
  const line = svgElement("line", { class: "gw-stats-mark", x1: at, x2: at, y1: PLOT.top, y2: PLOT.bottom });
  line.append(svgText("title", text));
  svg.append(line, label(text, at, PLOT.top - 3, at > PLOT.left + span / 2 ? "end" : "start",
    "gw-stats-mark-label"));
}

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 */
function svgElement(tag, attributes) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/**
 * An SVG element holding text (as text, never markup).
 * @param {string} tag
 * @param {string} text
 */
function svgText(tag, text) {
  const element = document.createElementNS(SVG, tag);
  element.textContent = text;
  return element;
}

/**
 * @param {string} text
 * @param {number} x
 * @param {number} y
 * @param {"start" | "middle" | "end"} anchor
 * @param {string} className
 */
function label(text, x, y, anchor, className) {
  const element = svgText("text", text);
  for (const [name, value] of [["x", x], ["y", y], ["text-anchor", anchor], ["class", className]]) {
    element.setAttribute(String(name), String(value));
  }
  return element;
}

/** @param {number} x a fraction */
function percent(x) {
  return `${Math.round(x * 100)}%`;
}

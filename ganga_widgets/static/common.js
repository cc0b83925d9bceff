// Helpers shared by the views of ganga_widgets (job.js, table.js). Python prepends this
// file to each view's module (anywidget loads a module from one string: no imports).
// Every string that came from a job is set with textContent, never as HTML.

// Display order of statuses in the progress bar and the counts.
const ORDER = [
  "completed", "completed_frozen", "failed", "failed_frozen", "killed", "removed",
  "completing", "running", "suspended", "held", "idle", "submitted", "submitting", "new",
  "unknown",
];

function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label, className, onClick) {
  const b = h("button", "gw-button " + (className || ""), label);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

function clockTime(epoch) {
  if (epoch == null) return "—";
  const d = new Date(epoch * 1000);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  const time = d.toLocaleTimeString([], { hour12: false });
  return sameDay ? time : d.toLocaleDateString() + " " + time;
}

function duration(seconds) {
  if (seconds == null || !isFinite(seconds) || seconds < 0) return "—";
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60), ss = s % 60;
  if (d) return `${d}d ${hh}h ${mm}m`;
  if (hh) return `${hh}h ${mm}m ${ss}s`;
  if (mm) return `${mm}m ${ss}s`;
  return `${ss}s`;
}

function statusClass(status) {
  return "gw-s-" + String(status || "unknown").replace(/[^a-z_]/g, "");
}

function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

// The stacked bar of subjobs by status: one segment per status, in ORDER.
function fillBar(bar, counts) {
  bar.replaceChildren();
  for (const status of ORDER) {
    const n = (counts || {})[status];
    if (!n) continue;
    const seg = h("span", "gw-seg " + statusClass(status));
    seg.style.flexGrow = String(n);
    seg.title = `${n} ${status}`;
    bar.append(seg);
  }
}

// An inline "are you sure?" in `box`: the question, a confirm button, Cancel.
function askConfirm(box, question, yesLabel, onYes) {
  const yes = button(yesLabel, "gw-danger", () => { box.replaceChildren(); onYes(); });
  const no = button("Cancel", "", () => box.replaceChildren());
  box.replaceChildren(h("span", "gw-question", question), yes, no);
}

// Actions are messages to Python: shown as pending until the `action` trait answers the
// same sequence number (the kernel handles them only when it is free).
function actionTracker(model, statusEl, root, labels) {
  let pending = null;
  function draw() {
    const outcome = model.get("action") || {};
    let stateName = "", text = "";
    if (pending && outcome.seq !== pending.seq) {
      stateName = "pending";
      text = `${labels[pending.name] || pending.name}: pending — runs when the kernel is free`;
    } else if (outcome.name) {
      pending = null;
      stateName = outcome.state;
      text = `${labels[outcome.name] || outcome.name}: ${outcome.state} — ${outcome.message}`;
    }
    statusEl.textContent = text;
    statusEl.className = "gw-action-status gw-action-" + (stateName || "none");
    root.dataset.actionState = stateName;
    root.dataset.actionName = pending ? pending.name : outcome.name || "";
  }
  function send(name, fields) {
    const seq = Date.now() * 1000 + Math.floor(Math.random() * 1000);
    pending = { seq, name };
    model.send({ type: "action", name, seq, ...fields });
    draw();
  }
  return { draw, send };
}


// With `window.ganga_widgets_profile = true`, each render and update of a view leaves a User
// Timing entry, "ganga_widgets:<view>:render" or ":update" (DevTools' Performance panel;
// benchmarks/browser_render.py). Off by default: the browser keeps every entry.
function profiler(view) {
  if (!globalThis.ganga_widgets_profile) return { render() {}, wrap: (fn) => fn };
  const measure = (what, start) => performance.measure(`ganga_widgets:${view}:${what}`, { start });
  let batch = null;
  return {
    render: (start) => measure("render", start),
    // One message from the kernel fires several handlers in one go: one entry for them all.
    wrap: (fn) => (...args) => {
      if (batch === null) {
        batch = performance.now();
        queueMicrotask(() => { measure("update", batch); batch = null; });
      }
      return fn(...args);
    },
  };
}

// @ts-check
// JobWidget's view: draws what Python computed (ganga_widgets/jobdata/model.py) and holds no
// job logic. One module per panel; the DOM is queried only under this view's own root, so
// several widgets can share a page.
//
// Traits read: summary, counts, cells, selected, detail, failures, held, analysis,
// can, notice, ganga_log, stats, action, clock, vocabulary, sharing (see
// ganga_widgets/widgets/job.py and widgets/base.py).
import { h } from "../lib/dom.js";
import { markSaved, savedCopy, watchLive } from "../lib/live.js";
import { sharingNotice } from "../lib/sharing.js";
import { listen, profiler } from "../lib/profile.js";
import { actionsPanel } from "./actions.js";
import { countsPanel } from "./counts.js";
import { detailPanel } from "./detail.js";
import { failuresPanel } from "./failures.js";
import { gangaLogPanel } from "./gangalog.js";
import { headerPanel } from "./header.js";
import { heldPanel } from "./held.js";
import { notifier } from "./notify.js";
import { statisticsPanel } from "./statistics.js";

/** @param {{model: import("../lib/types.js").Model, el: HTMLElement}} props */
function render({ model, el }) {
  const started = performance.now();
  const root = h("div", "gw-job");
  el.appendChild(root);

  const saved = savedCopy(model);
  const fqid = () => (model.get("summary") || {}).fqid ?? "?";
  // A live view says so when its kernel goes quiet (restarted, stopped).
  const liveness = saved ? null : watchLive(model, root, () => `JobWidget(${fqid()})`);
  let clockOffset = 0; // kernel clock minus browser clock, seconds
  // A saved copy's time stands still where it was saved; a quiet one's, where it went quiet.
  const now = () => (saved ? model.get("clock") : (liveness?.now() ?? 0) + clockOffset);
  const sharing = sharingNotice(model, root);
  const header = headerPanel(model, root, now);
  const notice = h("div", "gw-notice");
  const counts = countsPanel(model, root);
  const actions = actionsPanel(model, root);
  const failures = failuresPanel(model);
  const held = heldPanel(model, root, actions);
  const detail = detailPanel(model, root, actions);
  const gangaLog = gangaLogPanel(model, root);
  const profile = profiler("job");
  const statistics = statisticsPanel(model, root, profile);
  const notify = notifier(model, root);
  actions.elements[0].append(...notify.elements);
  root.append(...sharing.elements, ...header.elements, notice, ...counts.elements, ...actions.elements,
    ...failures.elements, ...held.elements, ...detail.elements, ...statistics.elements,
    ...gangaLog.elements);

  function drawNotice() {
    const text = model.get("notice") || "";
    notice.textContent = text;
    notice.hidden = !text;
  }

  function setClock() {
    clockOffset = (model.get("clock") || Date.now() / 1000) - Date.now() / 1000;
  }

  /** @type {Record<string, () => void>} */
  const handlers = {
    "change:summary": () => {
      header.draw(); counts.draw(); actions.draw(); statistics.draw(); notify.check();
    },
    "change:stats": statistics.draw,
    "change:counts": () => { counts.draw(); actions.draw(); failures.draw(); notify.check(); },
    "change:cells": counts.draw,
    "change:selected": () => { counts.draw(); detail.draw(); },
    "change:detail": detail.draw,
    "change:failures": failures.draw,
    "change:held": held.draw,
    "change:analysis": detail.drawAnalysis,
    "change:can": actions.draw,
    "change:notice": drawNotice,
    "change:ganga_log": gangaLog.draw,
    "change:action": actions.drawOutcome,
    "change:clock": () => { liveness?.heard(); setClock(); header.drawTimes(); },
    "msg:custom": () => liveness?.heard(), // a beat
    "change:sharing": () => { sharing.draw(); actions.draw(); held.draw(); detail.draw(); },
  };
  const stopListening = listen(model, handlers, profile);

  setClock();
  sharing.draw();
  header.draw();
  drawNotice();
  counts.draw();
  actions.draw();
  failures.draw();
  held.draw();
  detail.draw();
  gangaLog.draw();
  statistics.draw();
  notify.check(); // where the job is now: only later changes are told
  actions.drawOutcome();
  // Elapsed time ticks here, not by messages from the kernel.
  const timer = saved ? undefined : setInterval(header.drawTimes, 1000);
  if (saved) markSaved(model, root, `job ${fqid()}`, `JobWidget(${fqid()})`);
  // The grid's width follows the output area's width.
  const resize = new ResizeObserver(counts.drawGrid);
  resize.observe(root);
  /** @type {any} */ (root).__gwGrid = counts.grid; // for browser tests: where to click subjob i
  profile.render(started);

  return () => {
    clearInterval(timer);
    liveness?.stop();
    resize.disconnect();
    stopListening();
  };
}

export default { render };

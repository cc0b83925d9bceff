// DomBaseline's view (browser_render.py): one DOM row per subjob, redrawn per message.
export default { render({ model, el }) {
  const started = performance.now();
  const rows = [];
  const box = document.createElement("div");
  for (let i = 0; i < model.get("n"); i++) {
    const row = document.createElement("div");
    row.textContent = `subjob ${i}: new`;
    rows.push(row);
    box.append(row);
  }
  el.classList.add("gw-dom-baseline");
  el.dataset.changes = "0";
  el.append(box);
  model.on("change:last", () => {
    const t = performance.now();
    const last = model.get("last");
    rows[last.subjob].textContent = `subjob ${last.subjob}: ${last.status}`;
    el.dataset.changes = String(Number(el.dataset.changes) + 1);
    performance.measure("baseline:update", { start: t });
  });
  performance.measure("baseline:render", { start: started });
} };

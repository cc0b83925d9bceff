// DomTable's view (browser_render.py): every row drawn again on every message.
export default { render({ model, el }) {
  const started = performance.now();
  const body = document.createElement("tbody");
  const draw = () => body.replaceChildren(...model.get("rows").map((r) => {
    const tr = document.createElement("tr");
    for (const v of [r.id, r.name, r.status, r.backend]) {
      const td = document.createElement("td");
      td.textContent = String(v);
      tr.append(td);
    }
    return tr;
  }));
  const table = document.createElement("table");
  table.append(body);
  el.classList.add("gw-dom-table");
  el.dataset.changes = "0";
  el.append(table);
  draw();
  model.on("change:rows", () => {
    const t = performance.now();
    draw();
    el.dataset.changes = String(Number(el.dataset.changes) + 1);
    performance.measure("baseline:update", { start: t });
  });
  performance.measure("baseline:render", { start: started });
} };

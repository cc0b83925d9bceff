// @ts-check
import { h } from "../lib/dom.js";
import { plural } from "../lib/format.js";
import { countIn, vocabulary } from "../lib/vocabulary.js";

/**
 * The first failed subjobs, each with its exit code (or the exception a submit() call
 * raised) and the end of its stderr; a click shows it in the detail panel.
 * @param {import("../lib/types.js").Model} model
 */
export function failuresPanel(model) {
  const box = h("div", "gw-failures");

  function draw() {
    /** @type {import("../lib/types.js").Failure[]} */
    const items = model.get("failures") || [];
    const failed = countIn(model.get("counts"), vocabulary(model).sets.failed);
    box.replaceChildren();
    box.hidden = items.length === 0;
    if (!items.length) return;
    const more = failed > items.length ? ` (first ${items.length} shown)` : "";
    box.append(h("div", "gw-failures-title", `${failed} failed subjob${plural(failed)}${more}`));
    for (const f of items) {
      const row = h("div", "gw-failure");
      const e = f.call_error;
      const exit = f.exit_code == null ? "no exit code" : `exit code ${f.exit_code}`;
      row.append(
        h("span", "gw-failure-id", `subjob ${f.fqid}`),
        h("span", "gw-failure-exit", e ? `raised ${e.type}: ${e.message}` : exit),
        h("pre", "gw-failure-tail", e ? e.traceback : f.tail || f.error || "(empty stderr)"),
      );
      row.addEventListener("click", () => model.send({ type: "select", subjob: f.subjob }));
      box.append(row);
    }
  }

  return { elements: [box], draw };
}

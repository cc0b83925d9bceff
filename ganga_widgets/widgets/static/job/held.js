// @ts-check
import { button, h } from "../lib/dom.js";
import { plural } from "../lib/format.js";
import { offer, readOnlyReason } from "../lib/sharing.js";

/**
 * HTCondor: held subjobs grouped by hold reason (50 subjobs held for one reason are one
 * line), each group with what fits its reason (Python says which: `fix`): held for memory,
 * resubmit them asking for more (twice the request, or what the user types); a missing input
 * file, its path; otherwise, release them. A click on a group shows its first subjob.
 * @param {import("../lib/types.js").Model} model
 * @param {HTMLElement} root
 * @param {{send: (name: string, subjob?: number | null, extra?: object) => void}} actions
 */
export function heldPanel(model, root, actions) {
  const box = h("div", "gw-held");

  function draw() {
    /** @type {import("../lib/types.js").HeldGroup[]} */
    const groups = model.get("held") || [];
    box.replaceChildren();
    box.hidden = groups.length === 0;
    const total = groups.reduce((n, g) => n + g.count, 0);
    root.dataset.held = String(total);
    if (!groups.length) return;
    box.append(h("div", "gw-held-title", `${total} held subjob${plural(total)}`));
    for (const g of groups) {
      const row = h("div", "gw-held-group");
      row.dataset.fix = g.fix ? g.fix.kind : "";
      const code = g.code == null ? "" : ` (code ${g.code}${g.subcode ? "." + g.subcode : ""})`;
      const which = g.subjobs.join(", ") + (g.count > g.subjobs.length ? ", ..." : "");
      row.append(
        h("span", "gw-held-count", `${g.count} × held${code}`),
        h("span", "gw-held-which", ` subjob${plural(g.count)} ${which}`),
        h("div", "gw-held-text", g.reason || "(no reason given)"),
        fixFor(g),
      );
      row.addEventListener("click", () => model.send({ type: "select", subjob: g.subjobs[0] }));
      box.append(row);
    }
  }

  /** @param {import("../lib/types.js").HeldGroup} g */
  function fixFor(g) {
    const line = h("div", "gw-held-fix");
    line.addEventListener("click", (event) => event.stopPropagation()); // not a "select"
    const group = [g.code, g.reason];
    const fix = g.fix || { kind: "release" };
    if (fix.kind === "memory") {
      const input = h("input", "gw-memory-input");
      input.type = "number";
      input.min = "1";
      input.step = "100";
      input.value = String(fix.suggested_mb);
      const asked = fix.request_mb == null ? "" : `requested ${fix.request_mb} MB; `;
      line.append(
        h("span", "gw-held-hint", `held for memory: ${asked}ask for `), input, h("span", "", " MB "),
        offered(button("Resubmit with more memory", "gw-more-memory", () =>
          actions.send("resubmit_more_memory", null, { group, memory: Number(input.value) }))),
      );
    } else if (fix.kind === "missing_input") {
      line.append(h("span", "gw-held-hint", "missing input file: "),
        h("code", "gw-held-path", fix.path || "(see the reason)"));
    } else {
      line.append(offered(button(`Release ${g.count}`, "gw-release-group", () =>
        actions.send("release_group", null, { group }))));
    }
    return line;
  }

  /** @param {HTMLButtonElement} b */
  function offered(b) {
    offer(b, true, readOnlyReason(model));
    return b;
  }

  return { elements: [box], draw };
}

// @ts-check
import { button, h } from "../lib/dom.js";
import { plural } from "../lib/format.js";
import { offer, readOnlyReason } from "../lib/sharing.js";

/**
 * HTCondor: held subjobs grouped by cause (Python says which: the hold code and the reason
 * without the figures and paths that differ per job), so 50 subjobs held for memory are one
 * line; each group with what fits it (`fix`): held for memory, resubmit them asking for more
 * (Python proposes it from the largest measured peak; the user may type another); a missing
 * input file, its path; otherwise, release them. Every held subjob is in a group, so the
 * title counts what the header counts. A click on a group shows its first subjob.
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
    const whole = groups.length === 1 && groups[0].subjobs.length === 0; // no subjobs
    const title = h("div", "gw-held-title", whole ? "The job is held" :
      `${total} held subjob${plural(total)}`);
    const memory = groups.filter((g) => g.fix && g.fix.kind === "memory");
    if (memory.length > 1) { // one button for all of them, asking for the most proposed
      const count = memory.reduce((n, g) => n + g.count, 0);
      const most = Math.max(...memory.map((g) => (g.fix && g.fix.suggested_mb) || 0));
      title.append(memoryForm("memory", most, `Resubmit all ${count} held for memory`));
    }
    box.append(title);
    for (const g of groups) {
      const row = h("div", "gw-held-group");
      row.dataset.fix = g.fix ? g.fix.kind : "";
      row.dataset.key = g.key;
      const code = g.code == null ? "" : ` (code ${g.code}${g.subcode ? "." + g.subcode : ""})`;
      const which = g.subjobs.join(", ") + (g.count > g.subjobs.length ? ", ..." : "");
      row.append(
        h("span", "gw-held-count", `${g.count} × held${code}`),
        h("span", "gw-held-which", whole ? "" : ` subjob${plural(g.count)} ${which}`),
        h("div", "gw-held-text", (g.count > 1 ? "e.g. " : "") + (g.reason || "(no reason given)")),
        fixFor(g, whole),
      );
      if (g.subjobs.length) {
        row.addEventListener("click", () => model.send({ type: "select", subjob: g.subjobs[0] }));
      }
      box.append(row);
    }
  }

  /**
   * @param {import("../lib/types.js").HeldGroup} g
   * @param {boolean} whole  a job without subjobs
   */
  function fixFor(g, whole) {
    const line = h("div", "gw-held-fix");
    line.addEventListener("click", (event) => event.stopPropagation()); // not a "select"
    const fix = g.fix || { kind: "release" };
    if (fix.kind === "memory") {
      const measured = fix.peak_mb == null ? "no usage measured" :
        `peaked at ${Math.round(fix.peak_mb)} MB (${fix.peak_from})`;
      const asked = fix.request_mb == null ? "" : `, requested ${fix.request_mb} MB`;
      line.append(h("span", "gw-held-hint", `held for memory: ${measured}${asked} → `),
        memoryForm(g.key, fix.suggested_mb || 2048, whole || g.count === 1 ?
          "Resubmit with more memory" : `Resubmit ${g.count} with more memory`));
    } else if (fix.kind === "missing_input") {
      line.append(h("span", "gw-held-hint", "missing input file: "),
        h("code", "gw-held-path", fix.path || "(see the reason)"));
    } else {
      line.append(offered(button(whole ? "Release" : `Release ${g.count}`, "gw-release-group",
        () => actions.send("release_group", null, { group: g.key }))));
    }
    return line;
  }

  /**
   * "ask for [N] MB [label]": resubmits the group `key` ("memory": every one held for memory).
   * @param {string} key
   * @param {number} suggested
   * @param {string} label
   */
  function memoryForm(key, suggested, label) {
    const form = h("span", "gw-memory-form");
    const input = h("input", "gw-memory-input");
    input.type = "number";
    input.min = "1";
    input.step = "100";
    input.value = String(suggested);
    input.setAttribute("aria-label", "MB to ask for");
    form.append(h("span", "gw-held-hint", "ask for "), input, h("span", "", " MB "),
      offered(button(label, "gw-more-memory", () =>
        actions.send("resubmit_more_memory", null, { group: key, memory: Number(input.value) }))));
    return form;
  }

  /** @param {HTMLButtonElement} b */
  function offered(b) {
    offer(b, true, readOnlyReason(model));
    return b;
  }

  return { elements: [box], draw };
}

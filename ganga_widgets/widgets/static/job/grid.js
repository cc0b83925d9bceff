// @ts-check
import { h } from "../lib/dom.js";

// The per-subjob grid: one cell per subjob on a canvas (10,000 subjobs are 10,000 small
// squares, not 10,000 DOM nodes). Only cells whose status changed are redrawn.
export class Grid {
  /**
   * @param {HTMLElement} root  the view's root (its CSS variables give the colours)
   * @param {(index: number) => void} onSelect
   * @param {(index: number) => void} onHover  -1 when the pointer leaves
   */
  constructor(root, onSelect, onHover) {
    this.root = root;
    this.canvas = h("canvas", "gw-grid");
    this.canvas.setAttribute("role", "img");
    this.codes = "";
    this.selected = -1;
    this.pitch = 12;
    this.cols = 1;
    /** @type {Record<string, string>} */
    this.colors = {};
    this.canvas.addEventListener("click", (e) => {
      const i = this.indexAt(e);
      if (i >= 0) onSelect(i);
    });
    this.canvas.addEventListener("mousemove", (e) => onHover(this.indexAt(e)));
    this.canvas.addEventListener("mouseleave", () => onHover(-1));
  }

  /** @param {MouseEvent} e */
  indexAt(e) {
    const rect = this.canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - rect.left) / this.pitch);
    const row = Math.floor((e.clientY - rect.top) / this.pitch);
    const i = row * this.cols + col;
    return col >= 0 && col < this.cols && i >= 0 && i < this.codes.length ? i : -1;
  }

  /** The card's content width (its width less borders and padding), whole pixels: the
   * grid's columns fill it and never pass its edge. 0 while the card is not laid out. */
  contentWidth() {
    const style = getComputedStyle(this.root);
    const px = (/** @type {string} */ v) => parseFloat(v) || 0;
    const inner = this.root.getBoundingClientRect().width
      - px(style.borderLeftWidth) - px(style.paddingLeft)
      - px(style.paddingRight) - px(style.borderRightWidth);
    return Math.max(0, Math.floor(inner));
  }

  /** Center of cell i relative to the canvas (browser tests click there). @param {number} i */
  cellOffset(i) {
    return {
      x: (i % this.cols) * this.pitch + this.pitch / 2,
      y: Math.floor(i / this.cols) * this.pitch + this.pitch / 2,
    };
  }

  /** @param {string} code @param {Record<string, string>} legend */
  color(code, legend) {
    if (!(code in this.colors)) {
      const status = legend[code] || "unknown";
      const style = getComputedStyle(this.root);
      this.colors[code] =
        style.getPropertyValue("--gw-" + status).trim() ||
        style.getPropertyValue("--gw-unknown").trim() ||
        "#999";
    }
    return this.colors[code];
  }

  /**
   * @param {string} codes  one status code per subjob
   * @param {number} selected
   * @param {Record<string, string>} legend  code -> status
   */
  update(codes, selected, legend) {
    const width = this.contentWidth() || 600;
    const n = codes.length;
    // Cells shrink as the job grows so the grid stays within ~240 px of height.
    const pitch = Math.max(3, Math.min(14, Math.floor(Math.sqrt((width * 240) / Math.max(n, 1)))));
    const cols = Math.max(1, Math.floor(width / pitch));
    const layoutChanged = pitch !== this.pitch || cols !== this.cols || n !== this.codes.length;
    const ctx = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext("2d"));
    if (layoutChanged) {
      this.pitch = pitch;
      this.cols = cols;
      const rows = Math.ceil(n / cols);
      const ratio = window.devicePixelRatio || 1;
      this.canvas.width = cols * pitch * ratio;
      this.canvas.height = Math.max(rows, 1) * pitch * ratio;
      this.canvas.style.width = cols * pitch + "px";
      this.canvas.style.height = Math.max(rows, 1) * pitch + "px";
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    }
    const gap = pitch >= 8 ? 2 : pitch >= 5 ? 1 : 0;
    /** @param {number} i @param {string} code */
    const draw = (i, code) => {
      const x = (i % cols) * pitch;
      const y = Math.floor(i / cols) * pitch;
      ctx.clearRect(x, y, pitch, pitch);
      ctx.fillStyle = this.color(code, legend);
      ctx.fillRect(x, y, pitch - gap, pitch - gap);
      if (i === selected) {
        ctx.strokeStyle = this.color("selected", { selected: "selected" }); // --gw-selected
        ctx.lineWidth = Math.max(1, Math.min(2, pitch / 5));
        ctx.strokeRect(x + 0.5, y + 0.5, pitch - gap - 1, pitch - gap - 1);
      }
    };
    const old = layoutChanged ? "" : this.codes;
    for (let i = 0; i < n; i++) {
      if (old[i] !== codes[i] || i === selected || i === this.selected) draw(i, codes[i]);
    }
    this.codes = codes;
    this.selected = selected;
    this.canvas.setAttribute("aria-label", `${n} subjobs`);
  }
}

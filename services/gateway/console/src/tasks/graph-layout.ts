/**
 * Where the workflow graph's boxes and edges go (components/workflow-graph.tsx draws them). Stages run left to
 * right and wrap onto the next row when the card is too narrow for them all (one column on a phone), like
 * text: an edge from a row's last box turns down and back to the next row's first. The on-failure stage sits
 * below every row, joined by a dashed edge.
 */

export const BOX_W = 184;
export const BOX_H = 72;
/** A fan-out is drawn as a stack: two boxes behind it, each offset this much up and to the right. */
export const STACK = 8;
const GAP_X = 44;
const GAP_Y = 36;
const PAD = 12;
const FAILURE_GAP = 52;

export interface Point {
  x: number;
  y: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  /** Top left of each stage's box, in stage order. */
  boxes: Point[];
  /** SVG path data of the edge into each stage after the first (edges[i] leads into boxes[i + 1]). */
  edges: string[];
  failure?: { box: Point; edge: string; label: Point };
}

/** How many boxes fit side by side in `available` CSS pixels (at least one, at most `stages`). */
export function columnsFor(available: number, stages: number): number {
  const fit = Math.floor((available - 2 * PAD - STACK + GAP_X) / (BOX_W + GAP_X));
  return Math.max(1, Math.min(stages, fit));
}

/** `stacked[i]`: stage i is a fan-out (its stack widens it by STACK to the right). */
export function layoutGraph(stacked: boolean[], columns: number, hasFailure: boolean): GraphLayout {
  const n = stacked.length;
  const cols = Math.max(1, Math.min(columns, n));
  const rows = Math.ceil(n / cols);
  const rowPitch = STACK + BOX_H + GAP_Y;
  const boxes = stacked.map((_, i) => ({ x: PAD + (i % cols) * (BOX_W + GAP_X), y: PAD + STACK + Math.floor(i / cols) * rowPitch }));
  const edges = boxes.slice(1).map((to, i) => {
    const from = boxes[i];
    if (to.y === from.y) {
      const midY = from.y + BOX_H / 2;
      return `M ${from.x + BOX_W + (stacked[i] ? STACK : 0) + 2} ${midY} H ${to.x - 2}`;
    }
    // Next row: down from the box's bottom, back along the gap between the rows, down into the next box's top.
    const turnY = from.y + BOX_H + GAP_Y / 2;
    return `M ${from.x + BOX_W / 2} ${from.y + BOX_H + 2} V ${turnY} H ${to.x + BOX_W / 2} V ${to.y - (stacked[i + 1] ? STACK : 0) - 2}`;
  });
  const width = 2 * PAD + cols * BOX_W + (cols - 1) * GAP_X + STACK;
  const lastRowY = PAD + STACK + (rows - 1) * rowPitch;
  if (!hasFailure) return { width, height: lastRowY + BOX_H + PAD, boxes, edges };
  const box = { x: PAD, y: lastRowY + BOX_H + FAILURE_GAP };
  const x = PAD + BOX_W / 2;
  return {
    width,
    height: box.y + BOX_H + PAD,
    boxes,
    edges,
    failure: { box, edge: `M ${x} ${lastRowY + BOX_H + 2} V ${box.y - 2}`, label: { x: x + 8, y: lastRowY + BOX_H + FAILURE_GAP / 2 + 4 } },
  };
}

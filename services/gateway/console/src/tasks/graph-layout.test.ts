import { BOX_H, BOX_W, STACK, columnsFor, layoutGraph } from './graph-layout';

test('as many boxes side by side as the width holds: all of them on a desktop, one on a phone', () => {
  expect(columnsFor(1200, 4)).toBe(4);
  expect(columnsFor(290, 4)).toBe(1);
  // Two boxes need 2 × 176 + 44 between + the padding and the stack's offset.
  expect(columnsFor(2 * BOX_W + 44 + 24 + STACK, 4)).toBe(2);
  expect(columnsFor(2 * BOX_W + 44 + 24 + STACK - 1, 4)).toBe(1);
  expect(columnsFor(100, 3)).toBe(1);
});

test('one row: boxes left to right joined by horizontal edges, a fan-out edge leaving past its stack', () => {
  const g = layoutGraph([false, true, false], 3, false);
  expect(g.boxes.map((b) => b.y)).toEqual([20, 20, 20]);
  expect(g.boxes.map((b) => b.x)).toEqual([12, 12 + BOX_W + 44, 12 + 2 * (BOX_W + 44)]);
  const [, second, third] = g.boxes;
  expect(g.edges).toEqual([`M ${12 + BOX_W + 2} ${20 + BOX_H / 2} H ${second.x - 2}`, `M ${second.x + BOX_W + STACK + 2} ${20 + BOX_H / 2} H ${third.x - 2}`]);
  expect(g.width).toBe(12 + 3 * BOX_W + 2 * 44 + STACK + 12);
  expect(g.height).toBe(20 + BOX_H + 12);
  expect(g.failure).toBeUndefined();
});

test('wrapped: the edge into a new row turns down and back to its first box; nothing wider than the columns', () => {
  const g = layoutGraph([false, false, true], 2, false);
  expect(g.boxes).toEqual([
    { x: 12, y: 20 },
    { x: 12 + BOX_W + 44, y: 20 },
    { x: 12, y: 20 + STACK + BOX_H + 36 },
  ]);
  // Into the fan-out on the second row: it stops above the stack drawn over the box's top.
  expect(g.edges[1]).toBe(`M ${12 + BOX_W + 44 + BOX_W / 2} ${20 + BOX_H + 2} V ${20 + BOX_H + 18} H ${12 + BOX_W / 2} V ${g.boxes[2].y - STACK - 2}`);
  expect(g.width).toBe(12 + 2 * BOX_W + 44 + STACK + 12);
});

test('one column (a phone): every edge is straight down; the on-failure box comes below the last stage', () => {
  const g = layoutGraph([false, false], 1, true);
  expect(g.boxes.map((b) => b.x)).toEqual([12, 12]);
  expect(g.edges[0]).toMatch(new RegExp(`^M ${12 + BOX_W / 2} \\d+ V \\d+ H ${12 + BOX_W / 2} V \\d+$`));
  expect(g.failure!.box).toEqual({ x: 12, y: g.boxes[1].y + BOX_H + 52 });
  expect(g.height).toBe(g.failure!.box.y + BOX_H + 12);
  expect(g.width).toBeLessThanOrEqual(12 + BOX_W + STACK + 12);
});

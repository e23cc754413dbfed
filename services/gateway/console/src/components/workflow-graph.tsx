import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import type { WorkflowView } from '@taskyard/contracts';
import { routeHref } from '../routing/route';
import { BOX_H, BOX_W, STACK, columnsFor, layoutGraph, type Point } from '../tasks/graph-layout';
import { graphSummary, stageDisplay, stageTaskId, type Stage } from '../tasks/stage-display';

/** Under the stage's name: its job type, and what kind of stage it is unless it is a plain task. */
const KIND_TEXT: Record<Stage['kind'], string> = { task: '', 'fan-out': ' · one per item', 'fan-in': ' · over all items', 'on-failure': ' · on failure' };

/** Cuts a label to what fits in a box (SVG text does not wrap). */
const fit = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

interface BoxProps {
  stage: Stage;
  at: Point;
  /** A fan-out's box opens the list of its tasks. */
  onOpenChildren: (stage: Stage) => void;
}

function StageBox({ stage, at, onOpenChildren }: BoxProps) {
  const d = stageDisplay(stage);
  const fanOut = stage.kind === 'fan-out';
  const share = fanOut && stage.total ? Math.min(1, (stage.done ?? 0) / stage.total) : 0;
  const taskId = stageTaskId(stage);
  const body = (
    <>
      <title>{`${stage.name} (${stage.type}): ${d.label}`}</title>
      {/* A fan-out is drawn as a stack: many tasks behind one box. */}
      {fanOut && <rect class="wf-box wf-stack" x={STACK} y={-STACK} width={BOX_W} height={BOX_H} rx={8} />}
      {fanOut && <rect class="wf-box wf-stack" x={STACK / 2} y={-STACK / 2} width={BOX_W} height={BOX_H} rx={8} />}
      <rect class="wf-box" width={BOX_W} height={BOX_H} rx={8} />
      <text class="wf-name" x={10} y={21}>
        {fit(stage.name, 20)}
      </text>
      <text class="wf-kind" x={10} y={38}>
        {fit(`${stage.type}${KIND_TEXT[stage.kind]}`, 30)}
      </text>
      <text class="wf-state" x={10} y={57}>
        {fit(d.label, 25)}
      </text>
      {fanOut && (
        <>
          <rect class="wf-meter" x={10} y={BOX_H - 9} width={BOX_W - 20} height={4} rx={2} />
          <rect class="wf-meter-fill" x={10} y={BOX_H - 9} width={(BOX_W - 20) * share} height={4} rx={2} />
        </>
      )}
    </>
  );
  const common = { class: `wf-node wf-${d.tone}`, transform: `translate(${at.x},${at.y})`, 'data-stage': stage.name, 'data-state': d.tone };
  if (taskId) {
    return (
      <a {...common} href={routeHref({ name: 'task', id: taskId })} aria-label={`${stage.name}: ${d.label}. Open its task`}>
        {body}
      </a>
    );
  }
  if (fanOut && stage.total) {
    const open = (e: Event): void => {
      e.preventDefault();
      onOpenChildren(stage);
    };
    return (
      <a {...common} href="#" role="button" aria-label={`${stage.name}: ${d.label}. Show its ${stage.total} tasks`} onClick={open}>
        {body}
      </a>
    );
  }
  return <g {...common}>{body}</g>;
}

/** The width the graph may take: its wrapper's, followed as the window resizes (before paint, so no flash). */
function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/**
 * A workflow's stages as a small picture: boxes left to right joined by arrows (wrapping onto the next row
 * when the card is narrow), each coloured and labelled by its state, a fan-out as a stack with its count and
 * a meter, the on-failure stage below on a dashed edge. A stage with a task links to it.
 */
export function WorkflowGraph({ view, onOpenChildren }: { view: Pick<WorkflowView, 'id' | 'stages' | 'onFailure' | 'definition'>; onOpenChildren: (stage: Stage) => void }) {
  const [ref, width] = useWidth();
  const declared = view.definition.onFailure;
  const failure: Stage | undefined = view.onFailure ?? (declared ? { name: declared.name, type: declared.type, kind: 'on-failure', state: 'waiting', taskId: `${view.id}.${declared.name}` } : undefined);
  const columns = width ? columnsFor(width, view.stages.length) : view.stages.length;
  const g = layoutGraph(
    view.stages.map((s) => s.kind === 'fan-out'),
    columns,
    !!failure,
  );
  return (
    <div class="wf-graph-wrap" ref={ref}>
      <svg class="wf-graph" viewBox={`0 0 ${g.width} ${g.height}`} width={g.width} height={g.height} role="group" aria-label={graphSummary({ stages: view.stages, onFailure: failure })}>
        <defs>
          <marker id="wf-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="wf-arrowhead" />
          </marker>
          <marker id="wf-arrow-failure" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="wf-arrowhead-failure" />
          </marker>
        </defs>
        {g.edges.map((d, i) => (
          <path key={`edge-${i}`} class="wf-edge" d={d} marker-end="url(#wf-arrow)" />
        ))}
        {failure && g.failure && (
          <>
            <path class="wf-edge wf-edge-failure" d={g.failure.edge} marker-end="url(#wf-arrow-failure)" />
            <text class="wf-edge-label" x={g.failure.label.x} y={g.failure.label.y}>
              if a stage fails
            </text>
          </>
        )}
        {view.stages.map((s, i) => (
          <StageBox key={s.name} stage={s} at={g.boxes[i]} onOpenChildren={onOpenChildren} />
        ))}
        {failure && g.failure && <StageBox stage={failure} at={g.failure.box} onOpenChildren={onOpenChildren} />}
      </svg>
    </div>
  );
}


/**
 * The workflow drawn as a graph (SVG) from the layout of `src/asl/layout.ts`: states as boxes, Parallel
 * branches and Map processors as nested containers, Choice/Default/Catch edges told apart by line and
 * label. Pans (drag, arrow keys), zooms (wheel, +/−) and fits. Each state is a focusable button; a status
 * paints it with a colour AND an icon, so it never relies on colour alone.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Box, Layout, Path } from '../../../src/asl/layout.js';
import type { StepStatus } from '../../../src/history/timeline.js';

export type NodeStatus = StepStatus | 'not-reached';

export const NODE_STATUS_LABEL: Record<NodeStatus, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  caught: 'Caught error',
  running: 'In progress',
  cancelled: 'Cancelled',
  'not-reached': 'Not reached',
};

export const NODE_STATUS_ICON: Record<NodeStatus, string> = {
  succeeded: '✓',
  failed: '✕',
  caught: '↯',
  running: '◔',
  cancelled: '⊘',
  'not-reached': '',
};

const KIND_ICON: Record<string, string> = {
  Task: '⚙',
  Pass: '→',
  Choice: '◇',
  Wait: '◷',
  Succeed: '●',
  Fail: '■',
  Parallel: '⇉',
  Map: '⟳',
  Branch: '',
  Start: '',
  End: '',
  Unknown: '?',
};

interface View {
  scale: number;
  x: number;
  y: number;
}

export interface GraphProps {
  layout: Layout;
  /** Status per state name; states absent are "not reached" (when `statuses` is given at all). */
  statuses?: Map<string, StepStatus>;
  /** Diagnostics per state name (designer). */
  problems?: Map<string, string>;
  selected?: string;
  onSelect?: (stateName: string) => void;
  label: string;
  /** Height of the viewport, CSS. */
  height?: string;
}

const truncate = (s: string, w: number) => {
  const max = Math.max(4, Math.floor((w - 34) / 7));
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

export function GraphView({ layout, statuses, problems, selected, onSelect, label, height = '560px' }: GraphProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const drag = useRef<{ px: number; py: number; x: number; y: number; moved: boolean } | null>(null);

  /** The whole graph in view, however small that makes it. */
  const fit = () => {
    const el = wrap.current;
    if (!el) return;
    const w = el.clientWidth || 800;
    const h = el.clientHeight || 560;
    const scale = Math.min(1, Math.max(0.02, Math.min(w / layout.width, h / layout.height)));
    setView({ scale, x: (w - layout.width * scale) / 2, y: Math.max(0, (h - layout.height * scale) / 2) });
  };
  /** The first view: the whole graph if it stays readable (at least 55%), else its top at a readable size. */
  const initial = () => {
    const el = wrap.current;
    if (!el) return;
    const w = el.clientWidth || 800;
    const h = el.clientHeight || 560;
    const whole = Math.min(w / layout.width, h / layout.height);
    if (whole >= 0.55) return fit();
    const scale = Math.min(1, Math.max(0.55, w / layout.width));
    const start = layout.boxes.find((b) => b.kind === 'Start');
    const cx = start ? start.x + start.w / 2 : layout.width / 2;
    setView({ scale, x: layout.width * scale <= w ? (w - layout.width * scale) / 2 : w / 2 - cx * scale, y: 8 });
  };
  useLayoutEffect(() => {
    // For measurements (the browser test reads it): when the drawing of this layout is in the DOM.
    performance.mark('stepwise:graph-committed');
  }, [layout]);
  // A new view when the graph gains or loses states (not on every redraw: the designer redraws as you type).
  const shape = layout.boxes.length;
  useLayoutEffect(() => {
    if (layout.boxes.length) initial();
  }, [shape]);
  useEffect(() => {
    const on = () => initial();
    window.addEventListener('resize', on);
    return () => window.removeEventListener('resize', on);
  }, [shape]);

  const zoomAt = (factor: number, cx?: number, cy?: number) => {
    const el = wrap.current;
    const px = cx ?? (el ? el.clientWidth / 2 : 0);
    const py = cy ?? (el ? el.clientHeight / 2 : 0);
    setView((v) => {
      const scale = Math.min(4, Math.max(0.05, v.scale * factor));
      const k = scale / v.scale;
      return { scale, x: px - (px - v.x) * k, y: py - (py - v.y) * k };
    });
  };

  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const r = wrap.current!.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
  };
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  });

  const onKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).closest('[data-state]')) {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onSelect?.((e.target as HTMLElement).closest('[data-state]')!.getAttribute('data-state')!);
      }
      if (!['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', '+', '=', '-', '0'].includes(e.key)) return;
    }
    const step = 60;
    switch (e.key) {
      case 'ArrowLeft':
        setView((v) => ({ ...v, x: v.x + step }));
        break;
      case 'ArrowRight':
        setView((v) => ({ ...v, x: v.x - step }));
        break;
      case 'ArrowUp':
        setView((v) => ({ ...v, y: v.y + step }));
        break;
      case 'ArrowDown':
        setView((v) => ({ ...v, y: v.y - step }));
        break;
      case '+':
      case '=':
        zoomAt(1.25);
        break;
      case '-':
        zoomAt(1 / 1.25);
        break;
      case '0':
        fit();
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const boxes = layout.boxes;

  return (
    <div class="graph" style={{ height }}>
      <div class="graph-tools" role="toolbar" aria-label="Graph view">
        <button type="button" class="small" onClick={() => zoomAt(1.25)} aria-label="Zoom in" title="Zoom in (+)">
          +
        </button>
        <button type="button" class="small" onClick={() => zoomAt(1 / 1.25)} aria-label="Zoom out" title="Zoom out (−)">
          −
        </button>
        <button type="button" class="small" onClick={fit} title="Fit the whole graph (0)">
          Fit
        </button>
        <span class="muted zoom">{Math.round(view.scale * 100)}%</span>
      </div>
      <div
        ref={wrap}
        class="graph-canvas"
        tabIndex={0}
        role="group"
        aria-label={`${label}. Drag or use the arrow keys to pan, + and − to zoom, 0 to fit; Tab moves between states.`}
        onKeyDown={onKey}
        onPointerDown={(e) => {
          if ((e.target as Element).closest('[data-state]') || e.button !== 0) return;
          drag.current = { px: e.clientX, py: e.clientY, x: view.x, y: view.y, moved: false };
          (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (!d) return;
          d.moved = true;
          setView((v) => ({ ...v, x: d.x + e.clientX - d.px, y: d.y + e.clientY - d.py }));
        }}
        onPointerUp={() => (drag.current = null)}
      >
        <svg width="100%" height="100%" role="presentation">
          <defs>
            {(['next', 'choice', 'default', 'catch', 'start', 'end'] as const).map((k) => (
              <marker key={k} id={`arrow-${k}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" class={`arrowhead edge-${k}`} />
              </marker>
            ))}
            <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="6" height="6" class="hatch-bg" />
              <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
            </pattern>
          </defs>
          <g transform={`translate(${view.x},${view.y}) scale(${view.scale})`}>
            {boxes
              .filter((b) => b.container)
              .map((b) => (
                <Container key={b.id} box={b} status={b.kind === 'Branch' ? undefined : statusOf(b, statuses)} selected={selected === b.name && b.kind !== 'Branch'} problem={problems?.get(b.name)} onSelect={onSelect} />
              ))}
            {layout.paths.map((p, i) => (
              <Edge key={i} path={p} />
            ))}
            {layout.paths
              .filter((p) => p.label && p.labelAt)
              .map((p, i) => (
                <EdgeLabel key={`l${i}`} path={p} />
              ))}
            {boxes
              .filter((b) => !b.container)
              .map((b) =>
                b.kind === 'Start' || b.kind === 'End' ? (
                  <Terminal key={b.id} box={b} reached={statuses ? statuses.size > 0 : undefined} />
                ) : (
                  <StateNode key={b.id} box={b} status={statusOf(b, statuses)} selected={selected === b.name} problem={problems?.get(b.name)} onSelect={onSelect} />
                ),
              )}
          </g>
        </svg>
      </div>
    </div>
  );
}

function statusOf(b: Box, statuses: Map<string, StepStatus> | undefined): NodeStatus | undefined {
  if (!statuses) return undefined;
  return statuses.get(b.name) ?? 'not-reached';
}

function Terminal({ box, reached }: { box: Box; reached?: boolean }) {
  return (
    <g class={`terminal${reached === false ? ' dim' : ''}`} aria-hidden="true">
      <rect x={box.x} y={box.y} width={box.w} height={box.h} rx={box.h / 2} />
      <text x={box.x + box.w / 2} y={box.y + box.h / 2 + 4} text-anchor="middle">
        {box.name}
      </text>
    </g>
  );
}

function describe(box: Box, status: NodeStatus | undefined, problem: string | undefined): string {
  return `${box.name}, ${box.kind} state${status ? `, ${NODE_STATUS_LABEL[status].toLowerCase()}` : ''}${problem ? `, problem: ${problem}` : ''}`;
}

function StateNode({ box, status, selected, problem, onSelect }: { box: Box; status?: NodeStatus; selected: boolean; problem?: string; onSelect?: (n: string) => void }) {
  const cls = ['node', `kind-${box.kind.toLowerCase()}`, status ? `st-${status}` : '', selected ? 'selected' : '', problem ? 'has-problem' : ''].join(' ');
  const icon = status ? NODE_STATUS_ICON[status] : '';
  return (
    <g
      class={cls}
      data-state={box.name}
      tabindex={0}
      role="button"
      aria-pressed={selected}
      aria-label={describe(box, status, problem)}
      onClick={() => onSelect?.(box.name)}
    >
      <title>{describe(box, status, problem)}</title>
      <rect class="node-bg" x={box.x} y={box.y} width={box.w} height={box.h} rx={box.kind === 'Choice' ? 14 : 6} />
      {status === 'not-reached' && <rect class="node-hatch" x={box.x} y={box.y} width={box.w} height={box.h} rx={6} fill="url(#hatch)" />}
      <text class="kind-icon" x={box.x + 10} y={box.y + (box.sub ? 20 : box.h / 2 + 5)} aria-hidden="true">
        {KIND_ICON[box.kind] ?? ''}
      </text>
      <text class="node-name" x={box.x + 28} y={box.y + (box.sub ? 20 : box.h / 2 + 5)}>
        {truncate(box.name, box.w - (icon ? 18 : 0))}
      </text>
      {box.sub && (
        <text class="node-sub" x={box.x + 28} y={box.y + 37}>
          {truncate(box.sub, box.w - (icon ? 18 : 0))}
        </text>
      )}
      <Marks box={box} icon={icon} problem={problem} inset={12} />
    </g>
  );
}

function Container({ box, status, selected, problem, onSelect }: { box: Box; status?: NodeStatus; selected: boolean; problem?: string; onSelect?: (n: string) => void }) {
  const isBranch = box.kind === 'Branch';
  const cls = ['container', `kind-${box.kind.toLowerCase()}`, status ? `st-${status}` : '', selected ? 'selected' : '', problem ? 'has-problem' : ''].join(' ');
  const icon = status ? NODE_STATUS_ICON[status] : '';
  if (isBranch)
    return (
      <g class={cls} aria-hidden="true">
        <rect x={box.x} y={box.y} width={box.w} height={box.h} rx={6} />
        <text class="branch-name" x={box.x + 8} y={box.y + 16}>
          {box.name}
        </text>
      </g>
    );
  return (
    <g class={cls} data-state={box.name} tabindex={0} role="button" aria-pressed={selected} aria-label={describe(box, status, problem)} onClick={() => onSelect?.(box.name)}>
      <title>{describe(box, status, problem)}</title>
      <rect class="container-bg" x={box.x} y={box.y} width={box.w} height={box.h} rx={8} />
      <rect class="container-head" x={box.x} y={box.y} width={box.w} height={28} rx={8} />
      <text class="kind-icon" x={box.x + 10} y={box.y + 19} aria-hidden="true">
        {KIND_ICON[box.kind] ?? ''}
      </text>
      <text class="node-name" x={box.x + 28} y={box.y + 19}>
        {truncate(`${box.name}${box.sub ? ` · ${box.sub}` : ''}`, box.w - 24)}
      </text>
      <Marks box={box} icon={icon} problem={problem} inset={14} />
    </g>
  );
}

/** The status icon (top right) and the problem mark (top left corner) of a state's box. */
function Marks({ box, icon, problem, inset }: { box: Box; icon: string; problem?: string; inset: number }) {
  return (
    <>
      {icon && (
        <g class="status-mark" aria-hidden="true">
          <circle cx={box.x + box.w - inset} cy={box.y + inset} r={9} />
          <text x={box.x + box.w - inset} y={box.y + inset + 4} text-anchor="middle">
            {icon}
          </text>
        </g>
      )}
      {problem && (
        <g class="problem-mark" aria-hidden="true">
          <circle cx={box.x} cy={box.y} r={9} />
          <text x={box.x} y={box.y + 4} text-anchor="middle">
            !
          </text>
        </g>
      )}
    </>
  );
}

function Edge({ path }: { path: Path }) {
  const d = path.points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ');
  return <path class={`edge edge-${path.kind}`} d={d} marker-end={`url(#arrow-${path.kind})`} aria-hidden="true" />;
}

function EdgeLabel({ path }: { path: Path }) {
  const text = path.label!;
  const w = Math.min(280, text.length * 6.2 + 10);
  const at = path.labelAt!;
  return (
    <g class={`edge-label edge-${path.kind}`} aria-hidden="true">
      <title>{text}</title>
      <rect x={at.x - w / 2} y={at.y - 9} width={w} height={18} rx={4} />
      <text x={at.x} y={at.y + 4} text-anchor="middle">
        {path.kind === 'catch' ? `catch: ${text}` : text}
      </text>
    </g>
  );
}

/** The legend: every status with its colour and icon. */
export function GraphLegend() {
  const order: NodeStatus[] = ['succeeded', 'failed', 'caught', 'running', 'cancelled', 'not-reached'];
  return (
    <ul class="legend" aria-label="Legend">
      {order.map((s) => (
        <li key={s} class={`legend-item st-${s}`}>
          <span class="swatch" aria-hidden="true">
            {NODE_STATUS_ICON[s]}
          </span>
          {NODE_STATUS_LABEL[s]}
        </li>
      ))}
      <li class="legend-item edge-key">
        <svg width="28" height="10" aria-hidden="true">
          <line x1="0" y1="5" x2="28" y2="5" class="edge edge-catch" />
        </svg>
        Catch
      </li>
      <li class="legend-item edge-key">
        <svg width="28" height="10" aria-hidden="true">
          <line x1="0" y1="5" x2="28" y2="5" class="edge edge-default" />
        </svg>
        Default
      </li>
    </ul>
  );
}

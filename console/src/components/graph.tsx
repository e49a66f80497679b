/**
 * The workflow drawn as a graph (SVG) from the layout of `src/asl/layout.ts`: states as boxes, Parallel
 * branches and Map processors as nested containers, Choice/Default/Catch edges told apart by line and
 * label. Opens fitted to its panel (readable: a tall graph is fitted by its width and scrolls), centred on
 * a state to focus on (an execution's failing state). Pans (wheel, drag, arrow keys), zooms (Ctrl+wheel,
 * +/−) and fits. Each state is a focusable button (a Map state may also carry a link, e.g. to its Map
 * Run, drawn in its header as a link of its own); a status
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

/** Below this zoom the states' names are too small to read: "Fit" and the first view never go under it. */
export const READABLE_SCALE = 0.75;
/** Room kept between the drawing and the panel's edges when panning stops at them. */
const EDGE = 16;

interface Size {
  w: number;
  h: number;
}

/** The panned offset on one axis, kept so that the drawing never leaves the panel (nor, when larger, leaves a gap). */
function clampAxis(offset: number, content: number, panel: number): number {
  const a = EDGE;
  const b = panel - content - EDGE;
  return Math.min(Math.max(offset, Math.min(a, b)), Math.max(a, b));
}

export function clampView(v: View, layout: Size, panel: Size): View {
  return { scale: v.scale, x: clampAxis(v.x, layout.w * v.scale, panel.w), y: clampAxis(v.y, layout.h * v.scale, panel.h) };
}

/**
 * The fitted view: the whole drawing when it stays readable; otherwise its width at a readable zoom (at
 * least READABLE_SCALE, never above 100%), the rest reached by scrolling. Centred on `focus` (a point of
 * the drawing, e.g. the failing state) when the drawing is larger than the panel, else on the start.
 */
export function fittedView(layout: Size, panel: Size, focus?: { x: number; y: number }): View {
  const whole = Math.min(panel.w / layout.w, panel.h / layout.h);
  const scale = whole >= READABLE_SCALE ? Math.min(1, whole) : Math.min(1, Math.max(READABLE_SCALE, panel.w / layout.w));
  const sw = layout.w * scale;
  const sh = layout.h * scale;
  const cx = focus?.x ?? layout.w / 2;
  const x = sw <= panel.w ? (panel.w - sw) / 2 : clampAxis(panel.w / 2 - cx * scale, sw, panel.w);
  const y = sh <= panel.h ? (panel.h - sh) / 2 : focus ? clampAxis(panel.h / 2 - focus.y * scale, sh, panel.h) : EDGE / 2;
  return { scale, x, y };
}

export interface GraphProps {
  layout: Layout;
  /** Status per state name; states absent are "not reached" (when `statuses` is given at all). */
  statuses?: Map<string, StepStatus>;
  /** Diagnostics per state name (designer). */
  problems?: Map<string, string>;
  selected?: string;
  onSelect?: (stateName: string) => void;
  /** A state to bring into view when the graph opens (or when it changes), e.g. the one that failed. */
  focus?: string;
  label: string;
  /** Height of the viewport, CSS. */
  height?: string;
  /** Links drawn on states' boxes (Map states' headers): an execution's Distributed Map to its Map Run. */
  links?: Map<string, GraphLink>;
}

export interface GraphLink {
  href: string;
  /** What the link shows (short: it fits a header). */
  text: string;
  /** The link's accessible name. */
  label: string;
}

const truncate = (s: string, w: number) => {
  const max = Math.max(4, Math.floor((w - 34) / 7));
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

export function GraphView({ layout, statuses, problems, selected, onSelect, focus, label, height = '560px', links }: GraphProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const drag = useRef<{ px: number; py: number; x: number; y: number; moved: boolean } | null>(null);
  const size = { w: layout.width, h: layout.height };
  const panel = (): Size => ({ w: wrap.current?.clientWidth || 800, h: wrap.current?.clientHeight || 560 });
  const boxOf = (name: string | undefined) => (name === undefined ? undefined : layout.boxes.find((b) => b.name === name && b.kind !== 'Branch' && b.kind !== 'Start' && b.kind !== 'End'));
  const centreOf = (b: Box | undefined) => (b ? { x: b.x + b.w / 2, y: b.y + b.h / 2 } : undefined);

  /** Fitted to the panel (see fittedView), centred on the state `on` when it is given. */
  const fit = (on?: string) => {
    if (!wrap.current) return;
    setView(fittedView(size, panel(), centreOf(boxOf(on))));
  };
  const pan = (dx: number, dy: number) => setView((v) => clampView({ ...v, x: v.x + dx, y: v.y + dy }, size, panel()));
  useLayoutEffect(() => {
    // For measurements (the browser test reads it): when the drawing of this layout is in the DOM.
    performance.mark('stepwise:graph-committed');
  }, [layout]);
  // A new view when the graph gains or loses states (not on every redraw: the designer redraws as you
  // type), or when a state to focus on appears (an execution that just failed).
  const shape = layout.boxes.length;
  const focused = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    if (!layout.boxes.length) return;
    focused.current = focus;
    fit(focus);
  }, [shape]);
  useLayoutEffect(() => {
    if (!layout.boxes.length || focus === undefined || focus === focused.current) return;
    focused.current = focus;
    fit(focus);
  }, [focus]);
  useEffect(() => {
    const on = () => fit(focused.current);
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

  // The wheel scrolls the drawing (Shift: sideways); with Ctrl or ⌘ (and a trackpad's pinch) it zooms.
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    if (e.ctrlKey || e.metaKey) {
      const r = wrap.current!.getBoundingClientRect();
      zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
      return;
    }
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? panel().h : 1;
    if (e.shiftKey && !e.deltaX) pan(-e.deltaY * unit, 0);
    else pan(-e.deltaX * unit, -e.deltaY * unit);
  };
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  });

  /** A state reached with Tab outside the panel is scrolled into view. */
  const onFocusIn = (e: FocusEvent) => {
    const name = (e.target as Element).closest?.('[data-state]')?.getAttribute('data-state');
    const b = boxOf(name ?? undefined);
    if (!b) return;
    const p = panel();
    setView((v) => {
      const left = v.x + b.x * v.scale;
      const top = v.y + b.y * v.scale;
      const inside = left >= 0 && top >= 0 && left + b.w * v.scale <= p.w && top + b.h * v.scale <= p.h;
      if (inside) return v;
      return clampView({ ...v, x: p.w / 2 - (b.x + b.w / 2) * v.scale, y: p.h / 2 - (b.y + b.h / 2) * v.scale }, size, p);
    });
  };

  const onKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).closest('[data-state]')) {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onSelect?.((e.target as HTMLElement).closest('[data-state]')!.getAttribute('data-state')!);
      }
      if (!['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', '+', '=', '-', '0'].includes(e.key)) return;
    }
    const step = 60;
    switch (e.key) {
      case 'ArrowLeft':
        pan(step, 0);
        break;
      case 'ArrowRight':
        pan(-step, 0);
        break;
      case 'ArrowUp':
        pan(0, step);
        break;
      case 'ArrowDown':
        pan(0, -step);
        break;
      case 'PageUp':
        pan(0, panel().h * 0.8);
        break;
      case 'PageDown':
        pan(0, -panel().h * 0.8);
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
      case 'Home':
        setView((v) => clampView({ ...v, y: EDGE }, size, panel()));
        break;
      case 'End':
        setView((v) => clampView({ ...v, y: -Infinity }, size, panel()));
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
        <button type="button" class="small" onClick={() => fit()} title="Fit to the panel: the whole graph, or its width at a readable size (0)">
          Fit
        </button>
        <span class="muted zoom">{Math.round(view.scale * 100)}%</span>
      </div>
      <div
        ref={wrap}
        class="graph-canvas"
        tabIndex={0}
        role="group"
        aria-label={`${label}. Scroll, drag or use the arrow keys to pan, Ctrl+scroll or + and − to zoom, 0 to fit; Tab moves between states.`}
        onKeyDown={onKey}
        onFocusIn={onFocusIn}
        onPointerDown={(e) => {
          if ((e.target as Element).closest('[data-state], a') || e.button !== 0) return;
          drag.current = { px: e.clientX, py: e.clientY, x: view.x, y: view.y, moved: false };
          (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (!d) return;
          d.moved = true;
          setView((v) => clampView({ ...v, x: d.x + e.clientX - d.px, y: d.y + e.clientY - d.py }, size, panel()));
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
                <Container
                  key={b.id}
                  box={b}
                  status={b.kind === 'Branch' ? undefined : statusOf(b, statuses)}
                  selected={selected === b.name && b.kind !== 'Branch'}
                  problem={problems?.get(b.name)}
                  onSelect={onSelect}
                  link={b.kind === 'Branch' ? undefined : links?.get(b.name)}
                />
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

/** The width of a link drawn in a container's header. */
const LINK_W = 74;

function Container({ box, status, selected, problem, onSelect, link }: { box: Box; status?: NodeStatus; selected: boolean; problem?: string; onSelect?: (n: string) => void; link?: GraphLink }) {
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
  // The link sits in the header, left of the status mark; it is a sibling of the state's button, not inside it.
  const linkX = box.x + box.w - (icon ? 28 : 6) - LINK_W;
  return (
    <>
      <g class={cls} data-state={box.name} tabindex={0} role="button" aria-pressed={selected} aria-label={describe(box, status, problem)} onClick={() => onSelect?.(box.name)}>
        <title>{describe(box, status, problem)}</title>
        <rect class="container-bg" x={box.x} y={box.y} width={box.w} height={box.h} rx={8} />
        <rect class="container-head" x={box.x} y={box.y} width={box.w} height={28} rx={8} />
        <text class="kind-icon" x={box.x + 10} y={box.y + 19} aria-hidden="true">
          {KIND_ICON[box.kind] ?? ''}
        </text>
        <text class="node-name" x={box.x + 28} y={box.y + 19}>
          {truncate(`${box.name}${box.sub ? ` · ${box.sub}` : ''}`, box.w - 24 - (link ? LINK_W + 8 : 0))}
        </text>
        <Marks box={box} icon={icon} problem={problem} inset={14} />
      </g>
      {link && (
        <a class="graph-link" href={link.href} aria-label={link.label} data-link-of={box.name}>
          <title>{link.label}</title>
          <rect x={linkX} y={box.y + 5} width={LINK_W} height={18} rx={9} />
          <text x={linkX + LINK_W / 2} y={box.y + 18} text-anchor="middle" aria-hidden="true">
            {link.text} ↗
          </text>
        </a>
      )}
    </>
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

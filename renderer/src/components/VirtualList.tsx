import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/**
 * Past this height browsers stop laying an element out (Chromium's limit is
 * about 33 million pixels), and a million rows of messages would need 90
 * million. Up to it the scrollbar maps one to one; past it, the scrollbar's
 * whole travel is mapped onto the whole list.
 */
const MAX_SCROLL_PX = 8_000_000;

/**
 * A list that draws only the rows in view, each of the same height (in rem,
 * so it grows with the zoom), however many there are. The arrow keys move a
 * row, Page Up and Page Down a screen, Home and End to either end.
 */
export function VirtualList({
  count,
  rowRem,
  label,
  renderRow,
  onRange,
}: {
  count: number;
  rowRem: number;
  label: string;
  renderRow: (index: number) => ReactNode;
  /** The rows now in view, first and last, for fetching them. */
  onRange: (first: number, last: number) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ scrollTop: 0, height: 600, rowPx: 16 * rowRem });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () =>
      setView({
        scrollTop: el.scrollTop,
        height: el.clientHeight,
        rowPx: rowRem * parseFloat(getComputedStyle(el).fontSize),
      });
    measure();
    const resized = new ResizeObserver(measure);
    resized.observe(el);
    el.addEventListener('scroll', measure, { passive: true });
    return () => {
      resized.disconnect();
      el.removeEventListener('scroll', measure);
    };
  }, [rowRem]);

  // Back to the top when the list itself changes (another filter, another thread).
  useEffect(() => {
    if (box.current) box.current.scrollTop = 0;
  }, [count]);

  const fullPx = count * view.rowPx;
  const spacerPx = Math.min(fullPx, MAX_SCROLL_PX);
  const travel = Math.max(1, spacerPx - view.height);
  const scale = fullPx > spacerPx ? (fullPx - view.height) / travel : 1;
  const top = view.scrollTop * scale;
  const first = Math.max(0, Math.min(count - 1, Math.floor(top / view.rowPx)));
  const shown = Math.ceil(view.height / view.rowPx) + 1;
  const last = Math.min(count - 1, first + shown);
  const within = top - first * view.rowPx;

  useEffect(() => {
    if (count > 0) onRange(first, last);
  }, [first, last, count, onRange]);

  const moveRows = (rows: number) => {
    if (box.current) box.current.scrollTop += (rows * view.rowPx) / scale;
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const page = Math.max(1, shown - 2);
    const moves: Record<string, () => void> = {
      ArrowDown: () => moveRows(1),
      ArrowUp: () => moveRows(-1),
      PageDown: () => moveRows(page),
      PageUp: () => moveRows(-page),
      Home: () => box.current && (box.current.scrollTop = 0),
      End: () => box.current && (box.current.scrollTop = box.current.scrollHeight),
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    move();
  };

  const rows = [];
  for (let i = first; i <= last; i++) {
    rows.push(
      <div
        key={i}
        className="row"
        role="listitem"
        aria-posinset={i + 1}
        aria-setsize={count}
        style={{
          height: view.rowPx,
          transform: `translateY(${(i - first) * view.rowPx - within}px)`,
        }}
      >
        {renderRow(i)}
      </div>,
    );
  }

  return (
    <div
      ref={box}
      className="virtual-list"
      tabIndex={0}
      role="list"
      aria-label={label}
      onKeyDown={onKeyDown}
    >
      <div className="virtual-spacer" style={{ height: spacerPx }} />
      <div className="virtual-window" style={{ transform: `translateY(${view.scrollTop}px)` }}>
        {rows}
      </div>
    </div>
  );
}

/**
 * One zoom and pan shared by every panel of the image view, so that the same pixel sits under
 * the same spot in the original, its parts and the purified output. The wheel zooms about the
 * pointer, a drag pans, and both work on whichever panel the hand is on.
 */
import { useCallback, useRef, useState, type PointerEvent } from 'react';

export interface ViewTransform {
  scale: number;
  x: number;
  y: number;
}

export const FIT: ViewTransform = { scale: 1, x: 0, y: 0 };
const MIN_SCALE = 1;
const MAX_SCALE = 32;

export interface SyncedView {
  transform: ViewTransform;
  zoomBy(factor: number, at?: { x: number; y: number }): void;
  reset(): void;
  /** Panels are the same size; the latest one measured bounds the pan and centres button zooms. */
  measure(element: HTMLElement): void;
  /** For a native, non-passive wheel listener: React's own is passive and cannot stop the dialog scrolling. */
  wheel(event: WheelEvent, element: HTMLElement): void;
  handlers: {
    onPointerDown: (event: PointerEvent<HTMLElement>) => void;
    onPointerMove: (event: PointerEvent<HTMLElement>) => void;
    onPointerUp: (event: PointerEvent<HTMLElement>) => void;
  };
}

export function useSyncedView(): SyncedView {
  const [transform, setTransform] = useState<ViewTransform>(FIT);
  const drag = useRef<{ pointerId: number; lastX: number; lastY: number } | null>(null);
  const frame = useRef({ width: 0, height: 0 });

  // The enlarged image always covers its panel: no panning off into empty space.
  const clamp = useCallback((next: ViewTransform): ViewTransform => {
    const { width, height } = frame.current;
    return {
      scale: next.scale,
      x: Math.min(0, Math.max(width - next.scale * width, next.x)),
      y: Math.min(0, Math.max(height - next.scale * height, next.y)),
    };
  }, []);

  const zoomBy = useCallback(
    (factor: number, at?: { x: number; y: number }) => {
      const centre = at ?? { x: frame.current.width / 2, y: frame.current.height / 2 };
      setTransform((current) => {
        const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, current.scale * factor));
        if (scale === MIN_SCALE) return FIT;
        // Keep the point under the pointer where it is: p = x + s * u  =>  x' = p - s' * (p - x) / s.
        const ratio = scale / current.scale;
        return clamp({ scale, x: centre.x - ratio * (centre.x - current.x), y: centre.y - ratio * (centre.y - current.y) });
      });
    },
    [clamp],
  );

  const measure = useCallback((element: HTMLElement) => {
    frame.current = { width: element.clientWidth, height: element.clientHeight };
  }, []);

  const wheel = useCallback(
    (event: WheelEvent, element: HTMLElement) => {
      event.preventDefault();
      measure(element);
      const box = element.getBoundingClientRect();
      zoomBy(event.deltaY < 0 ? 1.25 : 0.8, { x: event.clientX - box.left, y: event.clientY - box.top });
    },
    [zoomBy, measure],
  );

  const handlers = {
    onPointerDown: (event: PointerEvent<HTMLElement>) => {
      measure(event.currentTarget);
      drag.current = { pointerId: event.pointerId, lastX: event.clientX, lastY: event.clientY };
      event.currentTarget.setPointerCapture(event.pointerId);
    },
    onPointerMove: (event: PointerEvent<HTMLElement>) => {
      const active = drag.current;
      if (!active || active.pointerId !== event.pointerId) return;
      const dx = event.clientX - active.lastX;
      const dy = event.clientY - active.lastY;
      active.lastX = event.clientX;
      active.lastY = event.clientY;
      setTransform((current) => (current.scale === 1 ? current : clamp({ ...current, x: current.x + dx, y: current.y + dy })));
    },
    onPointerUp: (event: PointerEvent<HTMLElement>) => {
      if (drag.current?.pointerId === event.pointerId) drag.current = null;
    },
  };

  return { transform, zoomBy, reset: () => setTransform(FIT), measure, wheel, handlers };
}

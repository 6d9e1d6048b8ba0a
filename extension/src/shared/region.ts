/**
 * Finding the page's main video and expressing its rectangle in captured-frame pixels.
 * `chooseMainVideo` and `toFrameRegion` are pure; `collectCandidates` reads the DOM.
 */
import type { VideoRegion } from './protocol';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface VideoCandidate<T = unknown> {
  element: T;
  /** Bounding rectangle in CSS pixels relative to the viewport. */
  rect: Rect;
  playing: boolean;
  visible: boolean;
}

/** Smallest on-screen size worth calling a video (ads, avatars and previews are smaller). */
const MIN_SIDE_PX = 120;

/** Intersection of `r` with the viewport (clipped, may be empty). */
export function clipToViewport(r: Rect, viewportWidth: number, viewportHeight: number): Rect {
  const x = Math.max(0, r.x);
  const y = Math.max(0, r.y);
  const right = Math.min(viewportWidth, r.x + r.width);
  const bottom = Math.min(viewportHeight, r.y + r.height);
  return { x, y, width: Math.max(0, right - x), height: Math.max(0, bottom - y) };
}

/**
 * The main video: the largest visible one, preferring videos that are playing (a paused
 * preview thumbnail should not beat the live player). Null when there is none worth cropping to.
 */
export function chooseMainVideo<T>(candidates: VideoCandidate<T>[], viewportWidth: number, viewportHeight: number): VideoCandidate<T> | null {
  let best: VideoCandidate<T> | null = null;
  let bestKey: [number, number] = [-1, -1];
  for (const c of candidates) {
    if (!c.visible) continue;
    const shown = clipToViewport(c.rect, viewportWidth, viewportHeight);
    if (shown.width < MIN_SIDE_PX || shown.height < MIN_SIDE_PX) continue;
    const key: [number, number] = [c.playing ? 1 : 0, shown.width * shown.height];
    if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
      best = c;
      bestKey = key;
    }
  }
  return best;
}

/**
 * Scale a viewport rectangle (CSS px) to the captured frame: tab capture records the viewport,
 * scaled to the video track's size, so the factor is frame width / viewport width.
 */
export function toFrameRegion(rect: Rect, viewportWidth: number, viewportHeight: number, frameWidth: number, frameHeight: number): VideoRegion {
  const shown = clipToViewport(rect, viewportWidth, viewportHeight);
  const sx = frameWidth / viewportWidth;
  const sy = frameHeight / viewportHeight;
  return {
    x: Math.round(shown.x * sx),
    y: Math.round(shown.y * sy),
    width: Math.round(shown.width * sx),
    height: Math.round(shown.height * sy),
    frame_width: frameWidth,
    frame_height: frameHeight,
  };
}

/** Whether two regions differ by more than `tolerance` pixels on any edge. */
export function regionChanged(a: VideoRegion | null, b: VideoRegion | null, tolerance = 2): boolean {
  if (!a || !b) return a !== b;
  return (
    Math.abs(a.x - b.x) > tolerance ||
    Math.abs(a.y - b.y) > tolerance ||
    Math.abs(a.width - b.width) > tolerance ||
    Math.abs(a.height - b.height) > tolerance ||
    a.frame_width !== b.frame_width ||
    a.frame_height !== b.frame_height
  );
}

/** The page's `<video>` elements with their rectangles and play state. */
export function collectCandidates(doc: Document): VideoCandidate<HTMLVideoElement>[] {
  const view = doc.defaultView;
  return [...doc.querySelectorAll('video')].map((video) => {
    const r = video.getBoundingClientRect();
    const style = view?.getComputedStyle(video);
    const hidden = style ? style.display === 'none' || style.visibility === 'hidden' || style.opacity === '0' : false;
    return {
      element: video,
      rect: { x: r.left, y: r.top, width: r.width, height: r.height },
      playing: !video.paused && !video.ended && video.readyState >= 2,
      visible: !hidden && r.width > 0 && r.height > 0,
    };
  });
}

/** The main video's rectangle in viewport CSS pixels, or null when the page has none. */
export function findMainVideoRect(doc: Document, viewportWidth: number, viewportHeight: number): Rect | null {
  const best = chooseMainVideo(collectCandidates(doc), viewportWidth, viewportHeight);
  return best ? clipToViewport(best.rect, viewportWidth, viewportHeight) : null;
}

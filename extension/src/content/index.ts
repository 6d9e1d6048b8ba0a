/**
 * Content script, injected into the recorded tab when recording starts: reports the main video's
 * rectangle (and its changes: theatre mode, resize, a different player) and new chat lines.
 * Both go to the offscreen document, which knows the capture size and the stream clock.
 */
import { detectPlatform, findChat, watchChat, type Platform } from '../shared/chat';
import type { Message } from '../shared/messages';
import { findMainVideoRect, type Rect } from '../shared/region';

interface ContentConfig {
  chat: boolean;
}

interface ClippyWindow {
  __clippyContent?: { stop: () => void };
  __clippyConfig?: ContentConfig;
}

const RECHECK_MS = 2000;

function post(msg: Message): void {
  chrome.runtime.sendMessage(msg).catch(() => undefined); // no recording listening: ignore
}

function sameRect(a: Rect | null, b: Rect | null): boolean {
  if (!a || !b) return a === b;
  return Math.abs(a.x - b.x) < 1 && Math.abs(a.y - b.y) < 1 && Math.abs(a.width - b.width) < 1 && Math.abs(a.height - b.height) < 1;
}

function watchRegion(): () => void {
  let last: Rect | null | undefined;
  let lastW = 0;
  let lastH = 0;
  const check = (): void => {
    const w = window.innerWidth;
    const h = window.innerHeight;
    const rect = findMainVideoRect(document, w, h);
    if (last !== undefined && sameRect(rect, last) && w === lastW && h === lastH) return;
    last = rect;
    lastW = w;
    lastH = h;
    post({ kind: 'page-region', rect, viewportWidth: w, viewportHeight: h });
  };
  const resize = new ResizeObserver(check);
  resize.observe(document.documentElement);
  for (const v of document.querySelectorAll('video')) resize.observe(v);
  window.addEventListener('resize', check);
  document.addEventListener('fullscreenchange', check);
  document.addEventListener('play', check, true);
  // Players swap <video> elements and move them without resizing the page: poll as a backstop.
  const timer = setInterval(check, RECHECK_MS);
  check();
  return () => {
    resize.disconnect();
    window.removeEventListener('resize', check);
    document.removeEventListener('fullscreenchange', check);
    document.removeEventListener('play', check, true);
    clearInterval(timer);
  };
}

function startChat(platform: Platform): () => void {
  let stopWatching: (() => void) | null = null;
  const attach = (): boolean => {
    const found = findChat(document, platform);
    if (!found) return false;
    stopWatching = watchChat(found.container, found.platform, (lines) => post({ kind: 'page-chat', lines, wallTimeMs: Date.now() }));
    return true;
  };
  if (attach()) return () => stopWatching?.();
  // Chat panes load after the player: wait for one to appear.
  const timer = setInterval(() => {
    if (attach()) clearInterval(timer);
  }, RECHECK_MS);
  return () => {
    clearInterval(timer);
    stopWatching?.();
  };
}

function main(): void {
  const w = window as unknown as ClippyWindow;
  w.__clippyContent?.stop(); // injected again for a new recording: replace the old watchers
  const cfg = w.__clippyConfig ?? { chat: true };
  const stops: Array<() => void> = [];
  if (window === window.top) stops.push(watchRegion());
  if (cfg.chat) stops.push(startChat(detectPlatform(location.href)));
  w.__clippyContent = { stop: () => stops.forEach((s) => s()) };
}

main();

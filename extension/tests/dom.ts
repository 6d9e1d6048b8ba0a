/** Loads a fixture page into jsdom and gives its videos the layout a browser would. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { JSDOM } from 'jsdom';

export function fixtureDom(name: string): JSDOM {
  const html = readFileSync(resolve(__dirname, 'fixtures', name), 'utf8');
  const dom = new JSDOM(`<!doctype html><html><body>${html}</body></html>`, { pretendToBeVisual: true });
  for (const v of dom.window.document.querySelectorAll('video')) applyLayout(v);
  return dom;
}

/** jsdom does no layout: take each video's rectangle and play state from data attributes. */
export function applyLayout(v: Element): void {
  const [x, y, width, height] = (v.getAttribute('data-rect') ?? '0,0,0,0').split(',').map(Number);
  v.getBoundingClientRect = () => ({ x, y, left: x, top: y, width, height, right: x + width, bottom: y + height, toJSON: () => ({}) }) as DOMRect;
  const playing = v.getAttribute('data-playing') === 'true';
  Object.defineProperty(v, 'paused', { value: !playing, configurable: true });
  Object.defineProperty(v, 'readyState', { value: playing ? 4 : 1, configurable: true });
}

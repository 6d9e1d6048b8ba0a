import { describe, expect, it } from 'vitest';
import { chooseMainVideo, clipToViewport, collectCandidates, findMainVideoRect, regionChanged, toFrameRegion } from '../src/shared/region';
import { applyLayout, fixtureDom } from './dom';

describe('main video on fixture pages', () => {
  it('Twitch-like: the live player, not the sidebar hover preview', () => {
    const doc = fixtureDom('twitch.html').window.document;
    expect(findMainVideoRect(doc, 1920, 1080)).toEqual({ x: 240, y: 50, width: 1280, height: 720 });
  });

  it('YouTube-like: the playing main video beats a bigger paused preview and a hidden ad', () => {
    const doc = fixtureDom('youtube.html').window.document;
    const best = chooseMainVideo(collectCandidates(doc), 1920, 1080);
    expect((best?.element as Element).className).toContain('html5-main-video');
    expect(best?.rect).toEqual({ x: 24, y: 80, width: 854, height: 480 });
  });

  it('plain page: a paused video partly scrolled away, clipped to the viewport; tiny videos ignored', () => {
    const doc = fixtureDom('plain.html').window.document;
    expect(findMainVideoRect(doc, 1280, 720)).toEqual({ x: 100, y: 0, width: 800, height: 350 });
  });

  it('follows a layout change (theatre mode)', () => {
    const doc = fixtureDom('twitch.html').window.document;
    const player = doc.querySelector('.video-player video')!;
    player.setAttribute('data-rect', '0,50,1920,1030');
    applyLayout(player);
    expect(findMainVideoRect(doc, 1920, 1080)).toEqual({ x: 0, y: 50, width: 1920, height: 1030 });
  });

  it('finds nothing on a page without a video worth cropping to', () => {
    const doc = fixtureDom('plain.html').window.document;
    doc.getElementById('main')!.remove();
    expect(findMainVideoRect(doc, 1280, 720)).toBeNull();
  });
});

describe('region geometry', () => {
  it('scales viewport CSS pixels to the captured frame', () => {
    // A 1280x720 viewport captured at 854x480 (the 480p cap).
    expect(toFrameRegion({ x: 240, y: 60, width: 640, height: 360 }, 1280, 720, 854, 480)).toEqual({
      x: 160, y: 40, width: 427, height: 240, frame_width: 854, frame_height: 480,
    });
  });

  it('clips to the viewport', () => {
    expect(clipToViewport({ x: -10, y: 700, width: 100, height: 100 }, 1280, 720)).toEqual({ x: 0, y: 700, width: 90, height: 20 });
    expect(clipToViewport({ x: 2000, y: 0, width: 100, height: 100 }, 1280, 720).width).toBe(0);
  });

  it('ignores sub-pixel jitter but not real moves', () => {
    const a = { x: 0, y: 0, width: 100, height: 100, frame_width: 200, frame_height: 200 };
    expect(regionChanged(a, { ...a, x: 1 })).toBe(false);
    expect(regionChanged(a, { ...a, width: 140 })).toBe(true);
    expect(regionChanged(a, { ...a, frame_width: 300 })).toBe(true);
    expect(regionChanged(null, a)).toBe(true);
    expect(regionChanged(null, null)).toBe(false);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { addRecent, clipCreated, clipPageUrl, notificationClicked, type RecentClip } from '../src/background/clips';

function clip(id: number): RecentClip {
  return { id, title: `c${id}`, reason: '', thumbnailUrl: null, pageUrl: '', createdAt: id };
}

describe('recent clips', () => {
  it('puts the newest first, once per id, at most 20', () => {
    let list: RecentClip[] = [];
    for (let i = 0; i < 25; i++) list = addRecent(list, clip(i));
    list = addRecent(list, clip(10));
    expect(list).toHaveLength(20);
    expect(list.slice(0, 3).map((c) => c.id)).toEqual([10, 24, 23]);
    expect(list.filter((c) => c.id === 10)).toHaveLength(1);
  });

  it('links to the dashboard clip page', () => {
    expect(clipPageUrl('https://clippy.example.com/', 5)).toBe('https://clippy.example.com/app/clips/5');
  });
});

/** The parts of `chrome.*` the clip notifications use, backed by a plain object. */
function fakeChrome(stored: Record<string, unknown>) {
  const fake = {
    storage: {
      local: {
        get: vi.fn(async (keys: string | string[]) => Object.fromEntries([keys].flat().filter((k) => k in stored).map((k) => [k, stored[k]]))),
        set: vi.fn(async (patch: Record<string, unknown>) => void Object.assign(stored, patch)),
      },
    },
    notifications: { create: vi.fn(), clear: vi.fn() },
    tabs: { create: vi.fn(async () => ({})) },
    runtime: { getURL: (p: string) => `chrome-extension://id/${p}` },
  };
  vi.stubGlobal('chrome', fake);
  return fake;
}

describe('clip notifications', () => {
  afterEach(() => vi.unstubAllGlobals());
  const clip = { id: 5, title: 'no way', start: 95, end: 121.5, reason: "loudness +14 dB, 'no way'", score: 3.2, thumbnail_url: '/api/v1/clips/5/thumbnail?sig=x', file_url: null };

  it('a new clip is notified and listed with an absolute thumbnail URL', async () => {
    const stored: Record<string, unknown> = { serverUrl: 'https://clippy.example.com' };
    const fake = fakeChrome(stored);
    await clipCreated(clip);
    expect(fake.notifications.create).toHaveBeenCalledWith('clip:5', expect.objectContaining({ title: 'New clip: no way', message: clip.reason }));
    const [recent] = stored.recentClips as RecentClip[];
    expect(recent).toMatchObject({ id: 5, thumbnailUrl: 'https://clippy.example.com/api/v1/clips/5/thumbnail?sig=x', pageUrl: 'https://clippy.example.com/app/clips/5' });
  });

  it("clicking a clip's notification opens its dashboard page; other notifications are ignored", async () => {
    const fake = fakeChrome({ serverUrl: 'https://clippy.example.com' });
    await clipCreated(clip);
    await notificationClicked('clip:5');
    expect(fake.tabs.create).toHaveBeenCalledWith({ url: 'https://clippy.example.com/app/clips/5' });
    expect(fake.notifications.clear).toHaveBeenCalledWith('clip:5');
    await notificationClicked('error-1');
    expect(fake.tabs.create).toHaveBeenCalledTimes(1);
  });
});

import { describe, expect, it } from 'vitest';
import { addRecent, clipPageUrl, type RecentClip } from '../src/background/clips';

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
    expect(clipPageUrl('https://clippy.example.com/', 5)).toBe('https://clippy.example.com/clips/5');
  });
});

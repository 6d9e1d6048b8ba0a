import { describe, expect, it } from 'vitest';
import { detectPlatform, findChat, readChatLines, watchChat, type PageChatLine } from '../src/shared/chat';
import { fixtureDom } from './dom';

describe('detectPlatform', () => {
  it('recognises the supported sites and their subdomains', () => {
    expect(detectPlatform('https://www.twitch.tv/someone')).toBe('twitch');
    expect(detectPlatform('https://m.youtube.com/watch?v=x')).toBe('youtube');
    expect(detectPlatform('https://kick.com/x')).toBe('kick');
    expect(detectPlatform('https://nottwitch.tv.example.com/')).toBe('other');
    expect(detectPlatform('not a url')).toBe('other');
  });
});

describe('reading chat from fixture pages', () => {
  it('Twitch-like: author and message, whitespace collapsed, emote-only lines skipped', () => {
    const doc = fixtureDom('twitch.html').window.document;
    const found = findChat(doc, 'twitch')!;
    expect(readChatLines(found.container, found.platform)).toEqual([
      { author: 'ninja_fan', text: 'POG that was insane' },
      { author: 'mod_bot', text: 'KEKW KEKW' },
      // The emote image is read as its name; the badge gives the author's role.
      { author: 'a_mod', text: 'LUL !clip', badges: ['moderator'] },
    ]);
  });

  it('YouTube-like', () => {
    const doc = fixtureDom('youtube.html').window.document;
    const found = findChat(doc, 'youtube')!;
    expect(readChatLines(found.container, found.platform)).toEqual([
      { author: 'Alice', text: 'first!' },
      { author: 'Bob', text: 'no way 😂' },
      { author: 'Streamer', text: '!clip 🔥', badges: ['owner'] },
    ]);
  });

  it('plain page: falls back to the role="log" chat', () => {
    const doc = fixtureDom('plain.html').window.document;
    const found = findChat(doc, 'other')!;
    expect(found.platform).toBe('other');
    expect(readChatLines(found.container, found.platform)).toEqual([
      { author: 'carol', text: 'hello there' },
      { author: '', text: 'dave: no author markup at all' },
    ]);
  });

  it('reports only lines added after watching starts', async () => {
    const dom = fixtureDom('twitch.html');
    (globalThis as { MutationObserver?: unknown }).MutationObserver = dom.window.MutationObserver;
    const doc = dom.window.document;
    const found = findChat(doc, 'twitch')!;
    const got: PageChatLine[][] = [];
    const stop = watchChat(found.container, found.platform, (lines) => got.push(lines));
    found.container.insertAdjacentHTML(
      'beforeend',
      '<div class="chat-line__message"><span class="chat-author__display-name">late</span><span data-a-target="chat-line-message-body">clip it</span></div>',
    );
    await new Promise((r) => setTimeout(r, 0));
    stop();
    found.container.insertAdjacentHTML('beforeend', '<div class="chat-line__message"><span data-a-target="chat-line-message-body">after stop</span></div>');
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual([[{ author: 'late', text: 'clip it' }]]);
  });
});

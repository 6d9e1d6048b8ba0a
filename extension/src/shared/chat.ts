/**
 * Reading live chat lines from a page's DOM. Each platform is a set of selectors; plain pages
 * fall back to the ARIA live-region convention (`role="log"`) that accessible chats use.
 */

export type Platform = 'twitch' | 'youtube' | 'kick' | 'other';

export interface ChatSelectors {
  /** Element whose children are added as new lines arrive. */
  container: string;
  /** One chat line (relative to the container). */
  line: string;
  author: string;
  text: string;
  /** Badge images/elements of the line's author (their alt text or type names the role). */
  badges: string;
}

export interface PageChatLine {
  author: string;
  text: string;
  /** Roles the page shows beside the author, lower case: "broadcaster", "moderator", "vip"... */
  badges?: string[];
}

export const CHAT_SELECTORS: Record<Platform, ChatSelectors> = {
  twitch: {
    container: '[data-test-selector="chat-scrollable-area__message-container"], .chat-scrollable-area__message-container',
    line: '.chat-line__message',
    author: '.chat-author__display-name, [data-a-target="chat-message-username"]',
    text: '[data-a-target="chat-line-message-body"], .message',
    badges: '.chat-badge, [data-a-target="chat-badge"] img',
  },
  youtube: {
    container: '#items.yt-live-chat-item-list-renderer, yt-live-chat-item-list-renderer #items',
    line: 'yt-live-chat-text-message-renderer',
    author: '#author-name',
    text: '#message',
    badges: 'yt-live-chat-author-badge-renderer',
  },
  kick: {
    container: '#chatroom-messages, [data-chat-messages]',
    line: '[data-chat-entry], .chat-entry',
    author: '.chat-entry-username, [data-chat-username]',
    text: '.chat-entry-content, [data-chat-text]',
    badges: '[class*="badge"] img, [data-badge]',
  },
  other: {
    container: '[role="log"]',
    line: ':scope > *',
    author: '[class*="author"], [class*="name"], [data-author]',
    text: '[class*="text"], [class*="message"], [data-text]',
    badges: '[data-badge]',
  },
};

/** The platform a page URL belongs to. */
export function detectPlatform(url: string): Platform {
  let host = '';
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return 'other';
  }
  if (host === 'twitch.tv' || host.endsWith('.twitch.tv')) return 'twitch';
  if (host === 'youtube.com' || host.endsWith('.youtube.com') || host === 'youtu.be') return 'youtube';
  if (host === 'kick.com' || host.endsWith('.kick.com')) return 'kick';
  return 'other';
}

function clean(s: string | null | undefined): string {
  return (s ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * The text of an element with its emote images read as their names: Twitch draws "LUL" as
 * `<img alt="LUL">`, and the emotes are what the detector weighs most.
 */
export function textWithEmotes(el: Element): string {
  let out = '';
  for (const node of el.childNodes) {
    if (node.nodeType === 3) out += node.textContent ?? '';
    else if (node.nodeType === 1) {
      const child = node as Element;
      out += child.tagName === 'IMG' ? ` ${child.getAttribute('alt') ?? ''} ` : textWithEmotes(child);
    }
  }
  return out;
}

/** The roles shown beside a line's author ("moderator", "broadcaster"), lower case. */
export function readBadges(el: Element, sel: ChatSelectors): string[] {
  const names = new Set<string>();
  // YouTube marks the whole line with the author's type ("owner", "moderator", "member").
  const type = el.getAttribute('author-type');
  if (type) names.add(type.toLowerCase());
  for (const badge of el.querySelectorAll(sel.badges)) {
    const name = badge.getAttribute('type') ?? badge.getAttribute('data-badge') ?? badge.getAttribute('alt') ?? badge.getAttribute('aria-label');
    if (name) names.add(clean(name).toLowerCase());
  }
  return [...names].filter(Boolean).slice(0, 5);
}

/** Author, text and badges of one chat line element; null for lines without text (system notices). */
export function readChatLine(el: Element, sel: ChatSelectors): PageChatLine | null {
  const authorEl = el.querySelector(sel.author);
  const textEl = el.querySelector(sel.text);
  const author = clean(authorEl?.textContent);
  let text = textEl ? clean(textWithEmotes(textEl)) : '';
  if (!textEl) {
    // No text element: the line's own text minus the author name.
    text = clean(textWithEmotes(el));
    if (author && text.startsWith(author)) text = clean(text.slice(author.length).replace(/^[:\s]+/, ''));
  }
  if (!text) return null;
  const badges = readBadges(el, sel);
  return badges.length ? { author, text, badges } : { author, text };
}

/**
 * The chat container of a page and the selector set that reads it: the platform's own, else
 * the generic `role="log"` one. Null when the page has no recognisable chat (yet).
 */
export function findChat(root: ParentNode, platform: Platform): { container: Element; platform: Platform } | null {
  const own = root.querySelector(CHAT_SELECTORS[platform].container);
  if (own) return { container: own, platform };
  const generic = root.querySelector(CHAT_SELECTORS.other.container);
  return generic ? { container: generic, platform: 'other' } : null;
}

/** Every chat line currently in `container`, oldest first. */
export function readChatLines(container: Element, platform: Platform): PageChatLine[] {
  const sel = CHAT_SELECTORS[platform];
  const lines: PageChatLine[] = [];
  for (const el of container.querySelectorAll(sel.line)) {
    const line = readChatLine(el, sel);
    if (line) lines.push(line);
  }
  return lines;
}

/**
 * Watch a chat container and report lines added after `start` was called (the backlog shown
 * before recording is not part of the stream). Returns a function that stops watching.
 */
export function watchChat(container: Element, platform: Platform, onLines: (lines: PageChatLine[]) => void): () => void {
  const sel = CHAT_SELECTORS[platform];
  const seen = new WeakSet<Element>(container.querySelectorAll(sel.line));
  const observer = new MutationObserver(() => {
    const fresh: PageChatLine[] = [];
    for (const el of container.querySelectorAll(sel.line)) {
      if (seen.has(el)) continue;
      seen.add(el);
      const line = readChatLine(el, sel);
      if (line) fresh.push(line);
    }
    if (fresh.length) onLines(fresh);
  });
  observer.observe(container, { childList: true, subtree: true });
  return () => observer.disconnect();
}

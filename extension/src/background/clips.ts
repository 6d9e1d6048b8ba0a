/** Notifications and the recent-clips list for clips the server reports as created. */
import type { ClipInfo } from '../shared/protocol';
import { loadSettings } from '../shared/settings';

export interface RecentClip {
  id: number;
  title: string;
  reason: string;
  thumbnailUrl: string | null;
  pageUrl: string;
  createdAt: number;
}

const MAX_RECENT = 20;
const NOTIFICATION_PREFIX = 'clip:';

/** The dashboard page of a clip (served by the same server under /app). */
export function clipPageUrl(serverUrl: string, clipId: number): string {
  return `${serverUrl.replace(/\/+$/, '')}/app/clips/${clipId}`;
}

/** Newest first, one entry per clip id, at most `MAX_RECENT`. */
export function addRecent(list: RecentClip[], clip: RecentClip): RecentClip[] {
  return [clip, ...list.filter((c) => c.id !== clip.id)].slice(0, MAX_RECENT);
}

export async function recentClips(): Promise<RecentClip[]> {
  const { recentClips: list } = await chrome.storage.local.get('recentClips');
  return Array.isArray(list) ? (list as RecentClip[]) : [];
}

/** Show a notification for a new clip and add it to the recent list. */
export async function clipCreated(clip: ClipInfo): Promise<void> {
  const { serverUrl } = await loadSettings();
  const recent: RecentClip = {
    id: clip.id,
    title: clip.title || `Clip ${clip.id}`,
    reason: clip.reason,
    thumbnailUrl: clip.thumbnail_url ? new URL(clip.thumbnail_url, serverUrl + '/').toString() : null,
    pageUrl: clipPageUrl(serverUrl, clip.id),
    createdAt: Date.now(),
  };
  await chrome.storage.local.set({ recentClips: addRecent(await recentClips(), recent) });
  chrome.notifications.create(`${NOTIFICATION_PREFIX}${clip.id}`, {
    type: 'basic',
    iconUrl: chrome.runtime.getURL('icons/icon128.png'),
    title: `New clip: ${recent.title}`,
    message: clip.reason || 'A highlight was clipped',
    contextMessage: `${Math.round(clip.end - clip.start)} s`,
  });
}

/** Open the clip's dashboard page when its notification is clicked. */
export async function notificationClicked(notificationId: string): Promise<void> {
  if (!notificationId.startsWith(NOTIFICATION_PREFIX)) return;
  const id = Number(notificationId.slice(NOTIFICATION_PREFIX.length));
  const clip = (await recentClips()).find((c) => c.id === id);
  const url = clip?.pageUrl ?? clipPageUrl((await loadSettings()).serverUrl, id);
  await chrome.tabs.create({ url });
  chrome.notifications.clear(notificationId);
}

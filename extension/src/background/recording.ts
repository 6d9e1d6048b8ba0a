/** Starting and stopping a tab recording from the service worker (which cannot hold media itself). */
import { detectPlatform } from '../shared/chat';
import type { LocalClipResult, Message } from '../shared/messages';
import { startLanguage } from '../shared/languages';
import { makeStreamId } from '../shared/protocol';
import { captureLimits, ingestUrl, loadSettings } from '../shared/settings';
import { currentPlan, hasCredential } from './auth';

const OFFSCREEN_PATH = 'offscreen/offscreen.html';
const POPUP_PATH = 'popup/popup.html';

/** Recording cannot start; the message tells the user what to do. */
export class RecordingError extends Error {
  override name = 'RecordingError';
}

interface OffscreenReply<T> {
  ok: boolean;
  value?: T;
  error?: string;
}

async function ensureOffscreen(): Promise<void> {
  const url = chrome.runtime.getURL(OFFSCREEN_PATH);
  const existing = await chrome.runtime.getContexts({ contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT], documentUrls: [url] });
  if (existing.length) return;
  await chrome.offscreen.createDocument({
    url: OFFSCREEN_PATH,
    reasons: [chrome.offscreen.Reason.USER_MEDIA, chrome.offscreen.Reason.WORKERS],
    justification: 'Record the captured tab with MediaRecorder and run FFmpeg.wasm for local clips',
  });
}

async function toOffscreen<T>(msg: Message): Promise<T> {
  const r = (await chrome.runtime.sendMessage(msg)) as OffscreenReply<T> | undefined;
  if (!r) throw new RecordingError('The recorder page did not answer; reload the extension');
  if (!r.ok) throw new RecordingError(r.error ?? 'the recorder failed');
  return r.value as T;
}

/** The tab being recorded, kept in session storage because the service worker may be restarted. */
export async function recordingTab(): Promise<number | null> {
  const { recordingTabId } = await chrome.storage.session.get('recordingTabId');
  return typeof recordingTabId === 'number' ? recordingTabId : null;
}

/** Start recording `tab`: capture id → offscreen recorder → content script for region and chat. */
export async function startRecording(tab: chrome.tabs.Tab): Promise<void> {
  if (tab.id === undefined) throw new RecordingError('This tab cannot be recorded');
  if (await recordingTab()) throw new RecordingError('Already recording a tab; stop it first');
  const settings = await loadSettings();
  if (!hasCredential(settings)) {
    await chrome.runtime.openOptionsPage();
    throw new RecordingError('Connect Clippy to your server first: press Connect in the options');
  }
  const mediaStreamId = await chrome.tabCapture.getMediaStreamId({ targetTabId: tab.id });
  await ensureOffscreen();
  const url = tab.url ?? '';
  const streamId = makeStreamId(new Date());
  await toOffscreen<void>({
    kind: 'offscreen-start',
    config: {
      mediaStreamId,
      wsUrl: ingestUrl(settings.serverUrl),
      limits: captureLimits(settings.quality, await currentPlan(settings)),
      start: {
        type: 'start',
        stream_id: streamId,
        title: tab.title ?? 'Recording',
        page_url: url,
        platform: detectPlatform(url),
        segment_seconds: settings.segmentSeconds,
        ...startLanguage(settings.language),
      },
    },
  });
  await chrome.storage.session.set({ recordingTabId: tab.id, recordingStreamId: streamId });
  await chrome.storage.local.set({ lastStreamId: streamId });
  await chrome.action.setBadgeText({ text: 'REC' });
  await chrome.action.setBadgeBackgroundColor({ color: '#d92d20' });
  // While recording the toolbar button opens the popup (stats, stop); when idle it records.
  await chrome.action.setPopup({ popup: POPUP_PATH });
  await injectContentScript(tab.id, settings.chatCapture);
}

async function injectContentScript(tabId: number, chat: boolean): Promise<void> {
  try {
    await chrome.scripting.executeScript({
      target: { tabId, allFrames: true },
      func: (cfg: { chat: boolean }) => {
        (globalThis as { __clippyConfig?: { chat: boolean } }).__clippyConfig = cfg;
      },
      args: [{ chat }],
    });
    await chrome.scripting.executeScript({ target: { tabId, allFrames: true }, files: ['content.js'] });
  } catch (e) {
    // Some pages (the Web Store, chrome://) refuse scripts: record without region and chat.
    console.warn(`Clippy: no region/chat for this page: ${String(e)}`);
  }
}

/**
 * Put the toolbar button back to "click to record" (idempotent). With `streamId`, only if that
 * stream is still the current one: an old upload finishing must not end a newer recording.
 */
export async function recordingEnded(streamId?: string): Promise<void> {
  if (streamId !== undefined) {
    const { recordingStreamId } = await chrome.storage.session.get('recordingStreamId');
    if (recordingStreamId !== undefined && recordingStreamId !== streamId) return;
  }
  await chrome.storage.session.remove(['recordingTabId', 'recordingStreamId']);
  await chrome.action.setBadgeText({ text: '' });
  await chrome.action.setPopup({ popup: '' });
}

/** Ask the recorder to stop; it keeps uploading until the server has every segment. */
export async function stopRecording(): Promise<void> {
  await recordingEnded();
  await toOffscreen<void>({ kind: 'offscreen-stop' }).catch((e: unknown) => console.warn(String(e)));
}

/** Make an MP4 of the last `seconds` locally (works with the server unreachable). */
export async function clipLocal(seconds: number): Promise<LocalClipResult> {
  if (!(await loadSettings()).localProcessing) throw new RecordingError('Local processing is off; turn it on in the Clippy options');
  await ensureOffscreen();
  const { lastStreamId } = await chrome.storage.local.get('lastStreamId');
  return toOffscreen<LocalClipResult>({ kind: 'offscreen-clip-local', seconds, streamId: typeof lastStreamId === 'string' ? lastStreamId : null });
}

/**
 * The service worker: toolbar button, context menu, credentials, notifications, and routing
 * between the popup and the offscreen recorder.
 */
import type { Message } from '../shared/messages';
import { normalizeServerUrl, saveSettings } from '../shared/settings';
import { getToken } from './auth';
import { clipCreated, notificationClicked } from './clips';
import { clipLocal, recordingEnded, recordingTab, startRecording, stopRecording } from './recording';

async function report(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    console.warn(`Clippy: ${message}`);
    chrome.notifications.create({ type: 'basic', iconUrl: chrome.runtime.getURL('icons/icon128.png'), title: 'Clippy', message });
  }
}

// With no popup set (idle), a toolbar click starts recording the tab right away.
chrome.action.onClicked.addListener((tab) => void report(startRecording(tab)));

/** The server that handed out this copy (Dashboard → Get the extension adds server.json). */
async function bundledServerUrl(): Promise<string | null> {
  try {
    const resp = await fetch(chrome.runtime.getURL('server.json'));
    if (!resp.ok) return null;
    const data = (await resp.json()) as { serverUrl?: unknown };
    return typeof data.serverUrl === 'string' ? data.serverUrl : null;
  } catch {
    return null; // a copy built from source has no server.json
  }
}

/**
 * First install of a copy a server handed out: point at that server and open the options,
 * where Connect is one click. A copy built from source (no server.json) opens nothing.
 */
async function firstInstall(): Promise<void> {
  const serverUrl = await bundledServerUrl();
  if (!serverUrl) return;
  await saveSettings({ serverUrl: normalizeServerUrl(serverUrl) });
  // A tab rather than openOptionsPage(): that one does nothing while the browser starts up.
  await chrome.tabs.create({ url: chrome.runtime.getURL('options/options.html') });
}

chrome.runtime.onInstalled.addListener((details) => {
  if (details.reason === 'install') void report(firstInstall());
  chrome.contextMenus.create({ id: 'open-panel', title: 'Open Clippy panel', contexts: ['action'] });
  chrome.contextMenus.create({ id: 'clip-local-30', title: 'Clip the last 30 s locally', contexts: ['action'] });
  chrome.contextMenus.create({ id: 'stop', title: 'Stop recording', contexts: ['action'] });
  void chrome.action.setPopup({ popup: '' });
});

chrome.contextMenus.onClicked.addListener((info) => {
  if (info.menuItemId === 'open-panel') void chrome.tabs.create({ url: chrome.runtime.getURL('popup/popup.html') });
  if (info.menuItemId === 'clip-local-30') void report(clipLocal(30));
  if (info.menuItemId === 'stop') void report(stopRecording());
});

chrome.notifications.onClicked.addListener((id) => void notificationClicked(id));

chrome.tabs.onRemoved.addListener((tabId) => {
  void recordingTab().then((t) => (t === tabId ? stopRecording() : undefined));
});

/** Reply `{ok, value}` / `{ok: false, error}` asynchronously. */
function answer(work: Promise<unknown>, sendResponse: (r: unknown) => void): true {
  work.then(
    (value) => sendResponse({ ok: true, value }),
    (e: unknown) => sendResponse({ ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
  return true;
}

chrome.runtime.onMessage.addListener((msg: Message, _sender, sendResponse) => {
  switch (msg.kind) {
    case 'start-recording':
      return answer(chrome.tabs.get(msg.tabId).then(startRecording), sendResponse);
    case 'stop-recording':
      return answer(stopRecording(), sendResponse);
    case 'clip-local':
      return answer(clipLocal(msg.seconds), sendResponse);
    case 'get-token':
      // The offscreen document expects the bare token; a rejection makes it retry with backoff.
      getToken(msg.fresh).then(sendResponse, () => sendResponse(''));
      return true;
    case 'clip-created':
      void clipCreated(msg.clip);
      return false;
    case 'recording-finished':
      // Also reached when the recorder stopped by itself (the tab closed or navigated away).
      void recordingEnded(msg.streamId);
      return false;
    default:
      return false; // messages for the offscreen document
  }
});

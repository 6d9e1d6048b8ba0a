/** The extension's settings (chrome.storage.local) and the pure rules derived from them. */

export type Quality = '480p' | '720p' | '1080p';

export interface Settings {
  serverUrl: string;
  /** A `clp_…` API key; used instead of the signed-in tokens when set. */
  apiKey: string;
  /** This browser's own `clb_…` key, received by pairing with the dashboard (Connect). */
  browserKey: string;
  email: string;
  accessToken: string;
  refreshToken: string;
  segmentSeconds: number;
  quality: Quality;
  chatCapture: boolean;
  localProcessing: boolean;
  /** The spoken language sent with each recording ('' = the account's choice, `auto`, or a code). */
  language: string;
}

export const DEFAULT_SETTINGS: Settings = {
  serverUrl: 'http://localhost:8000',
  apiKey: '',
  browserKey: '',
  email: '',
  accessToken: '',
  refreshToken: '',
  segmentSeconds: 10,
  quality: '720p',
  chatCapture: true,
  localProcessing: true,
  language: '',
};

export const MIN_SEGMENT_SECONDS = 2;
export const MAX_SEGMENT_SECONDS = 60;

/** The settings a user entered is not usable; the message says which field and why. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** `url` without a trailing slash; throws SettingsError unless it is an http(s) URL. */
export function normalizeServerUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new SettingsError(`Server URL "${url}" is not a URL; use e.g. https://clippy.example.com`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SettingsError(`Server URL must start with http:// or https:// (got ${parsed.protocol})`);
  }
  return parsed.toString().replace(/\/+$/, '');
}

/** The ingest WebSocket URL of a server. */
export function ingestUrl(serverUrl: string): string {
  const u = new URL(normalizeServerUrl(serverUrl));
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${u.toString().replace(/\/+$/, '')}/ws/ingest`;
}

/** Clamp a segment length to what the server and MediaRecorder handle well. */
export function clampSegmentSeconds(n: number): number {
  if (!Number.isFinite(n)) return DEFAULT_SETTINGS.segmentSeconds;
  return Math.min(MAX_SEGMENT_SECONDS, Math.max(MIN_SEGMENT_SECONDS, Math.round(n)));
}

export interface CaptureLimits {
  maxWidth: number;
  maxHeight: number;
  maxFrameRate: number;
  videoBitsPerSecond: number;
  audioBitsPerSecond: number;
}

const HEIGHTS: Record<Quality, number> = { '480p': 480, '720p': 720, '1080p': 1080 };
/** Plans whose recordings are capped at 720p (the server would downscale anyway). */
const CAPPED_720 = new Set(['free']);

/**
 * Capture size and bitrates for a quality setting on a plan. The cap is applied by the tab
 * capture itself (the browser scales before encoding), which is the cheapest way to downscale.
 */
export function captureLimits(quality: Quality, plan: string | null): CaptureLimits {
  let height = HEIGHTS[quality];
  if (plan !== null && CAPPED_720.has(plan)) height = Math.min(height, 720);
  const width = Math.round((height * 16) / 9);
  // ~0.1 bit per pixel per frame at 30 fps: VP8 looks clean on screen content at that rate.
  const videoBitsPerSecond = Math.round(width * height * 30 * 0.1);
  return { maxWidth: width, maxHeight: height, maxFrameRate: 30, videoBitsPerSecond, audioBitsPerSecond: 128_000 };
}

/** Merge stored values over the defaults (unknown keys dropped, wrong types replaced). */
export function withDefaults(stored: Record<string, unknown>): Settings {
  const out: Settings = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS) as Array<keyof Settings>) {
    const v = stored[key];
    if (v !== undefined && typeof v === typeof DEFAULT_SETTINGS[key]) (out as unknown as Record<string, unknown>)[key] = v;
  }
  out.segmentSeconds = clampSegmentSeconds(out.segmentSeconds);
  if (!(out.quality in HEIGHTS)) out.quality = DEFAULT_SETTINGS.quality;
  return out;
}

/** Read settings from chrome.storage.local. */
export async function loadSettings(): Promise<Settings> {
  return withDefaults(await chrome.storage.local.get(Object.keys(DEFAULT_SETTINGS)));
}

/** Write some settings to chrome.storage.local. */
export async function saveSettings(patch: Partial<Settings>): Promise<void> {
  await chrome.storage.local.set(patch);
}

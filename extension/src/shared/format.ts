/** Small display formatters for the popup and options page. */
import type { Me } from './api';

/** `75` → `1:15`, `3725` → `1:02:05`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Bytes (or bytes per second) in KB/MB with one decimal. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Today's usage in one line, and the recording bar's percentage (`null`: unlimited, no bar). */
export function usageLine(me: Me): { plan: string; text: string; pct: number | null } {
  const hours = me.plan.recording_hours_per_day;
  const clipsLimit = me.plan.clips_per_day;
  const recorded = me.usage_today.recording_seconds;
  const rec = hours === null ? `${formatDuration(recorded)} recorded (unlimited)` : `${formatDuration(recorded)} of ${hours} h recorded`;
  const clips = clipsLimit === null ? `${me.usage_today.clips} clips (unlimited)` : `${me.usage_today.clips} of ${clipsLimit} clips`;
  const pct = hours === null || hours <= 0 ? null : Math.min(100, (100 * recorded) / (hours * 3600));
  return { plan: me.plan.name, text: `${rec} · ${clips}`, pct };
}

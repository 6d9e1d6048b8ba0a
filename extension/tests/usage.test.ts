import { describe, expect, it } from 'vitest';
import type { Me } from '../src/shared/api';
import { usageLine } from '../src/shared/format';
import { browserName } from '../src/shared/pairing';

function me(hours: number | null, clips: number | null): Me {
  return {
    user: { id: 1, email: 'a@example.com', plan: 'x' },
    plan: { name: hours === null ? 'business' : 'free', recording_hours_per_day: hours, clips_per_day: clips, max_export_height: 720 },
    usage_today: { day: '2026-12-01', recording_seconds: 1800, clips: 2, exports: 0 },
  };
}

describe('usageLine', () => {
  it('shows limits and a bar for a limited plan', () => {
    const u = usageLine(me(1, 3));
    expect(u.text).toBe('30:00 of 1 h recorded · 2 of 3 clips');
    expect(u.pct).toBe(50);
  });

  it('says unlimited, not 0, and draws no bar on an unlimited plan', () => {
    const u = usageLine(me(null, null));
    expect(u.text).toBe('30:00 recorded (unlimited) · 2 clips (unlimited)');
    expect(u.text).not.toContain('of 0');
    expect(u.pct).toBeNull();
  });

  it('mixes a recording limit with unlimited clips (pro)', () => {
    expect(usageLine(me(4, null)).text).toBe('30:00 of 4 h recorded · 2 clips (unlimited)');
  });
});

describe('browserName', () => {
  it('names the browser and system for the connected-browsers list', () => {
    const linux = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
    expect(browserName(linux)).toBe('Chrome on Linux');
    const edge = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0';
    expect(browserName(edge)).toBe('Edge on Windows');
    expect(browserName('')).toBe('Browser');
  });
});

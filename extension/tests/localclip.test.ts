import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localClipArgs } from '../src/offscreen/localclip';

// The same arguments FFmpeg.wasm runs, checked with the native ffmpeg build (same filters
// and encoders), on segments shaped like MediaRecorder's: VP8+Opus WebM, each starting at 0.
const dir = mkdtempSync(join(tmpdir(), 'clippy-localclip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeSegment(name: string, seconds: number, hue: number): void {
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=0x${hue.toString(16).padStart(6, '0')}:s=320x180:r=30:d=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-c:a', 'libopus', '-shortest',
    join(dir, name),
  ]);
}

function duration(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).toString());
}

describe('localClipArgs', () => {
  it('joins standalone segments and keeps the last N seconds as H.264/AAC MP4', () => {
    makeSegment('seg0.webm', 2, 0xff0000);
    makeSegment('seg1.webm', 2, 0x00ff00);
    makeSegment('seg2.webm', 2, 0x0000ff);
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...localClipArgs(3, 6, 3)], { cwd: dir });
    const out = join(dir, 'out.mp4');
    expect(duration(out)).toBeGreaterThan(2.8);
    expect(duration(out)).toBeLessThan(3.3);
    const codecs = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', out]).toString().split(/\s+/).filter(Boolean);
    expect(codecs.sort()).toEqual(['aac', 'h264']);
  }, 30_000);

  it('keeps everything when fewer seconds were recorded than asked for', () => {
    const args = localClipArgs(2, 12, 30);
    expect(args[args.indexOf('-ss') + 1]).toBe('0.000');
    expect(args.filter((a) => a === '-i')).toHaveLength(2);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasWebmMedia, readVint, segmentDuration, webmLastBlockSeconds } from '../src/shared/webm';

const dir = mkdtempSync(join(tmpdir(), 'clippy-webm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hex(s: string): Uint8Array {
  return new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

/** What Chrome's MediaRecorder handed over for a CPU-starved segment in the e2e test: the EBML header, then zeros. */
const STARVED = hex('1a45dfa39f4286810142f7810142f2810442f381084282847765626d4287810442858102'.padEnd(220, '0'));

/** A VP8/Opus WebM of `seconds` made by the native ffmpeg (the same codecs MediaRecorder uses). */
function realWebm(seconds: number): Uint8Array {
  const file = join(dir, `real-${seconds}.webm`);
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=s=160x90:r=15:d=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-c:v', 'libvpx', '-deadline', 'realtime', '-c:a', 'libopus', '-shortest', file,
  ]);
  return new Uint8Array(readFileSync(file));
}

/** MediaRecorder's live layout by hand: Segment and Clusters of unknown size, SimpleBlocks. */
function liveLayout(): Uint8Array {
  const unknown = '01ffffffffffffff';
  const block = (rel: number) => 'a3' + '88' + '81' + (rel & 0xffff).toString(16).padStart(4, '0') + '80' + '00000000';
  return hex(
    '1a45dfa3' + '84' + '42868101' +
      '18538067' + unknown +
      '1549a966' + '87' + '2ad7b1' + '830f4240' + // Info: TimecodeScale 1,000,000 ns
      '1f43b675' + unknown + 'e7' + '81' + '00' + block(0) + block(500) +
      '1f43b675' + unknown + 'e7' + '82' + '03e8' + block(700) + block(-5),
  );
}

describe('readVint', () => {
  it('reads EBML variable-length integers of 1 to 8 bytes', () => {
    expect(readVint(hex('81'), 0)).toEqual({ value: 1, length: 1 });
    expect(readVint(hex('4286'), 0)).toEqual({ value: 0x286, length: 2 });
    expect(readVint(hex('010000000000b2bb'), 0)).toEqual({ value: 0xb2bb, length: 8 });
  });

  it('refuses a zero first byte and a truncated number', () => {
    expect(readVint(hex('00'), 0)).toBeNull();
    expect(readVint(hex('40'), 0)).toBeNull();
    expect(readVint(hex('81'), 1)).toBeNull();
  });
});

describe('hasWebmMedia', () => {
  it('accepts a real VP8/Opus WebM', () => {
    expect(hasWebmMedia(realWebm(1))).toBe(true);
  }, 30_000);

  it('refuses the header-only blob a starved MediaRecorder produces', () => {
    expect(STARVED.length).toBe(110);
    expect(hasWebmMedia(STARVED)).toBe(false);
  });

  it('refuses a Segment without any Cluster, other formats and empty input', () => {
    const header = '1a45dfa3' + '84' + '42868101'; // EBML header of 4 bytes
    expect(hasWebmMedia(hex(header + '18538067' + '88' + '1549a966' + '00000000'))).toBe(false);
    expect(hasWebmMedia(hex(header + '18538067' + '88' + '1f43b675' + '01ffffff'))).toBe(true);
    expect(hasWebmMedia(hex('89504e470d0a1a0a0000000d49484452'))).toBe(false);
    expect(hasWebmMedia(new Uint8Array())).toBe(false);
  });
});

describe('webmLastBlockSeconds', () => {
  it('finds the last block of a file with known sizes', () => {
    const t = webmLastBlockSeconds(realWebm(3));
    expect(t).toBeGreaterThan(2.8);
    expect(t).toBeLessThan(3.01);
  }, 30_000);

  it("walks MediaRecorder's unknown-size segment and clusters", () => {
    expect(webmLastBlockSeconds(liveLayout())).toBeCloseTo(1.7, 6);
  });

  it('gives null for what it cannot walk', () => {
    expect(webmLastBlockSeconds(STARVED)).toBeNull();
    expect(webmLastBlockSeconds(new Uint8Array([1, 2, 3]))).toBeNull();
  });
});

describe('segmentDuration', () => {
  it('keeps the wall time when the media fills it', () => {
    expect(segmentDuration(liveLayout(), 1.75)).toBe(1.75);
  });

  it("announces the media's end when a starved recorder captured much less than it ran for", () => {
    expect(segmentDuration(liveLayout(), 2.5)).toBeCloseTo(1.733, 3);
  });

  it('is null for a segment without media', () => {
    expect(segmentDuration(STARVED, 2)).toBeNull();
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { modifyDocument, prepareVideo, type TemplateDocument } from '../renderer/index.js';
import { encodeVideo, frameCount, VideoEncodeError } from './ffmpeg.js';

const DOC: TemplateDocument = {
  width: 64,
  height: 36,
  background: { color: '#ffffff' },
  layers: [{ name: 'dot', type: 'shape', shape: 'ellipse', x: 0, y: 8, width: 20, height: 20, fill_color: '#ff0000', keyframes: [{ t: 0, x: 0 }, { t: 1, x: 44 }] }],
};
const dir = mkdtempSync(join(tmpdir(), 'ffmpeg-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frames = () => prepareVideo(modifyDocument(DOC, []), { images: new Map(), fonts: new Map() }, {});
const probe = (file: string) =>
  execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames,pix_fmt', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim();

describe('encodeVideo', () => {
  it('counts frames as duration x fps, at least one', () => {
    expect(frameCount(2, 30)).toBe(60);
    expect(frameCount(1 / 1000, 24)).toBe(1);
    expect(frameCount(59.99, 60)).toBe(3599);
  });

  it.each([
    ['mp4', 'h264'],
    ['webm', 'vp9'],
  ] as const)('writes %s (%s, yuv420p) with every frame and reports progress', async (format, codec) => {
    const out = join(dir, `clip.${format}`);
    const progress: number[] = [];
    const r = await encodeVideo({ frames: await frames(), durationSeconds: 1, fps: 24, format, outPath: out, ffmpegPath: 'ffmpeg', deadline: Date.now() + 60_000, onProgress: (f) => progress.push(f) });
    expect(r).toEqual({ frames: 24, width: 64, height: 36, codec });
    expect(progress).toHaveLength(24);
    expect(progress[23]).toBe(1);
    expect(probe(out)).toBe(`${codec},yuv420p,24`);
  });

  it('fails with video_timeout past the deadline, and encode_failed without ffmpeg', async () => {
    const out = join(dir, 'late.mp4');
    const late = encodeVideo({ frames: await frames(), durationSeconds: 1, fps: 24, format: 'mp4', outPath: out, ffmpegPath: 'ffmpeg', deadline: Date.now() - 1 });
    await expect(late).rejects.toMatchObject({ code: 'video_timeout' });
    const missing = encodeVideo({ frames: await frames(), durationSeconds: 1, fps: 24, format: 'mp4', outPath: out, ffmpegPath: join(dir, 'no-ffmpeg'), deadline: Date.now() + 60_000 });
    await expect(missing).rejects.toBeInstanceOf(VideoEncodeError);
    await expect(missing).rejects.toMatchObject({ code: 'encode_failed' });
  });

  it('stops when cancelled (another execution took the video over)', async () => {
    const out = join(dir, 'cancelled.mp4');
    let n = 0;
    const run = encodeVideo({ frames: await frames(), durationSeconds: 1, fps: 24, format: 'mp4', outPath: out, ffmpegPath: 'ffmpeg', deadline: Date.now() + 60_000, cancelled: () => ++n > 5 });
    await expect(run).rejects.toMatchObject({ code: 'video_superseded' });
  });
});

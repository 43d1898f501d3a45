import { stat, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OG_CARD, demoAssets, modifyDocument, prepareVideo, type Layer, type TemplateDocument } from '../src/renderer/index.js';
import { encodeVideo } from '../src/videos/ffmpeg.js';

/**
 * Video benchmark: the demo card at 1280x720, its headline sliding in from the left and its
 * photo fading in, 10 s at 30 fps, drawn and piped into ffmpeg (H.264) exactly as the worker
 * does. Prints the time end to end (sources decoded, every frame drawn, the MP4 finished) and
 * frames per second. The target on 2 cores is at most 5 s (half of real time).
 */
export const VIDEO_BENCH_CARD: TemplateDocument = {
  ...DEMO_OG_CARD,
  width: 1280,
  height: 720,
  layers: DEMO_OG_CARD.layers.map((l): Layer => {
    if (l.name === 'headline') return { ...l, keyframes: [{ t: 0, x: -640, easing: 'ease-out' }, { t: 1.2, x: l.x }] };
    if (l.name === 'photo') return { ...l, keyframes: [{ t: 0.3, opacity: 0 }, { t: 1.5, opacity: 1, easing: 'ease-in-out' }] };
    return l;
  }),
};

export async function benchVideo(o: { runs?: number; log?: (line: string) => void; ffmpegPath?: string } = {}): Promise<void> {
  const log = o.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const runs = o.runs ?? 3;
  const [durationSeconds, fps] = [10, 30];
  const assets = await demoAssets();
  const dir = await mkdtemp(join(tmpdir(), 'video-bench-'));
  log(`video bench: ${VIDEO_BENCH_CARD.width}x${VIDEO_BENCH_CARD.height} demo card, ${durationSeconds} s at ${fps} fps (headline slides in, photo fades in), ${availableParallelism()} CPUs`);
  try {
    for (let i = 0; i < runs; i++) {
      const out = join(dir, `clip-${i}.mp4`);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const frames = await prepareVideo(modifyDocument(VIDEO_BENCH_CARD, [{ name: 'headline', text: 'Render beautiful videos from one template' }]), assets, {});
      const prepared = performance.now() - t0;
      const encoded = await encodeVideo({ frames, durationSeconds, fps, format: 'mp4', outPath: out, ffmpegPath: o.ffmpegPath ?? 'ffmpeg', deadline: Date.now() + 300_000 });
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      log(
        `run ${i + 1}: ${(ms / 1000).toFixed(2)} s end to end, ${((encoded.frames * 1000) / ms).toFixed(1)} fps` +
          ` (prepare ${prepared.toFixed(0)} ms; drawing ${((cpu.user + cpu.system) / 1000 / encoded.frames).toFixed(1)} ms CPU per frame in node, ${frames.movingLayers} moving layers;` +
          ` ${encoded.frames} frames, ${((await stat(out)).size / 1024).toFixed(0)} KiB)`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

import sharp from 'sharp';
import type { AddressPolicy } from '../outbound/address-policy.js';
import type { ImageFetcher } from '../outbound/image-fetcher.js';
import { checkOutboundUrl } from '../outbound/safe-request.js';
import { SafeRequestError } from '../outbound/safe-request-error.js';
import type { Modification } from '../renderer/index.js';
import { isRenderError, LIMITS, measureEmbedded, svgUnsafeReason } from '../renderer/index.js';
import { type ModificationProblem, urlProblem } from '../templates/modifications.js';

/** Bounds on what one request may make the API fetch before it is accepted (settings in config/). */
export interface PreflightLimits {
  /** Distinct remote URLs one request may name. */
  maxUrls: number;
  /** Bytes all of one request's remote images may add up to. */
  maxTotalBytes: number;
  /** Fetches of one request in flight at once. */
  concurrency: number;
  /**
   * The per-render pixel budget (RENDER_MAX_DECODED_PIXELS): a remote SVG that with the images
   * it embeds decodes to more could never render. Default LIMITS.maxRenderPixels.
   */
  maxDecodedPixels?: number;
}

export const DEFAULT_PREFLIGHT_LIMITS: PreflightLimits = { maxUrls: 20, maxTotalBytes: 50 * 1024 * 1024, concurrency: 4 };

/**
 * A bound on the pre-flights one organisation runs at once in this process, so one tenant sending
 * many URL-heavy requests waits for itself instead of taking every socket and the event loop.
 */
export class PerOrgGate {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly maxPerOrg: number) {}

  async run<T>(org: string, work: () => Promise<T>): Promise<T> {
    if ((this.active.get(org) ?? 0) >= this.maxPerOrg) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(org) ?? [];
        queue.push(resolve);
        this.waiting.set(org, queue);
      });
    } else {
      this.active.set(org, (this.active.get(org) ?? 0) + 1);
    }
    try {
      return await work();
    } finally {
      const queue = this.waiting.get(org);
      const next = queue?.shift();
      if (queue && queue.length === 0) this.waiting.delete(org);
      // The slot passes straight to the next waiter; otherwise it is released.
      if (next) next();
      else {
        const n = (this.active.get(org) ?? 1) - 1;
        if (n === 0) this.active.delete(org);
        else this.active.set(org, n);
      }
    }
  }

  /** In flight for an organisation (for tests and metrics). */
  inFlight(org: string): number {
    return this.active.get(org) ?? 0;
  }
}

/**
 * Fetches each distinct remote image a request names (through the SSRF-safe, caching fetcher) and
 * checks that it is an image within the pixel limit, so an unreachable or non-image URL is a 400
 * at POST time rather than a failed render later. A request naming more distinct URLs than the
 * limit is refused before anything is fetched; fetching stops once the byte budget is spent.
 */
export async function preflightImageUrls(
  mods: readonly Modification[],
  fetcher: ImageFetcher,
  limits: PreflightLimits = DEFAULT_PREFLIGHT_LIMITS,
): Promise<ModificationProblem[]> {
  const targets = mods.filter((m): m is Modification & { image_url: string } => typeof m.image_url === 'string');
  const urls = [...new Set(targets.map((m) => m.image_url))];
  if (urls.length > limits.maxUrls) {
    const allowed = new Set(urls.slice(0, limits.maxUrls));
    return targets
      .filter((m) => !allowed.has(m.image_url))
      .map((m) => ({ name: m.name, reason: `image_url: a request may name at most ${limits.maxUrls} distinct remote image URLs (this one names ${urls.length})` }));
  }

  const verdicts = new Map<string, string | null>();
  let spent = 0;
  let next = 0;
  const runOne = async (): Promise<void> => {
    while (next < urls.length) {
      const url = urls[next++];
      if (spent > limits.maxTotalBytes) {
        verdicts.set(url, budgetReason(limits));
        continue;
      }
      const { reason, bytes } = await checkOne(url, fetcher, limits.maxDecodedPixels ?? LIMITS.maxRenderPixels);
      spent += bytes;
      verdicts.set(url, spent > limits.maxTotalBytes ? budgetReason(limits) : reason);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limits.concurrency, urls.length)) }, runOne));
  return targets.flatMap((m) => {
    const reason = verdicts.get(m.image_url);
    return reason ? [{ name: m.name, reason }] : [];
  });
}

const budgetReason = (limits: PreflightLimits): string =>
  `image_url: the remote images of this request exceed ${Math.round(limits.maxTotalBytes / 1024 / 1024)} MB together`;

async function checkOne(url: string, fetcher: ImageFetcher, maxDecodedPixels: number): Promise<{ reason: string | null; bytes: number }> {
  let bytes: Buffer;
  try {
    bytes = await fetcher.fetch(url);
  } catch (err) {
    if (err instanceof SafeRequestError) return { reason: `image_url could not be fetched: ${describeFetchError(err)}`, bytes: 0 };
    throw err;
  }
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    const pixels = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0);
    if (pixels > LIMITS.maxInputPixels) {
      return { reason: `image_url is ${meta.width}x${meta.height}; the limit is ${LIMITS.maxInputPixels / 1e6} megapixels`, bytes: bytes.length };
    }
    if (meta.format === 'svg') return { reason: await svgProblem(bytes.toString('utf8'), pixels, maxDecodedPixels), bytes: bytes.length };
    return { reason: null, bytes: bytes.length };
  } catch {
    return { reason: 'image_url did not return a supported image (PNG, JPEG, WebP, GIF, AVIF or SVG)', bytes: bytes.length };
  }
}

/** What the renderer would refuse about a remote SVG, measured from headers as it would. */
async function svgProblem(svg: string, ownPixels: number, maxDecodedPixels: number): Promise<string | null> {
  const unsafe = svgUnsafeReason(svg);
  if (unsafe) return `image_url is an SVG that is not self-contained: ${unsafe}`;
  try {
    const embedded = await measureEmbedded(svg, 'image_url');
    const total = ownPixels + embedded.svgPixels + embedded.rasterPixels;
    return total > maxDecodedPixels ? `image_url is an SVG whose images decode to ${total} pixels; a render may decode at most ${maxDecodedPixels}` : null;
  } catch (e) {
    if (isRenderError(e)) return `image_url: ${e.message}`;
    throw e;
  }
}

/** Says what went wrong without naming internal addresses. */
export function describeFetchError(err: SafeRequestError): string {
  switch (err.code) {
    case 'forbidden_address':
      return 'the address is not publicly routable';
    case 'http_status':
      return `the server answered HTTP ${err.status}`;
    case 'too_large':
      return 'the response is larger than the limit';
    case 'timeout':
      return 'the server did not answer in time';
    case 'too_many_redirects':
      return 'too many redirects';
    case 'invalid_url':
      return 'the URL is not a valid http(s) URL';
    case 'dns_failed':
      return 'the host name does not resolve';
    default:
      return 'the connection failed';
  }
}

/**
 * The door check of a destination URL a caller hands us (`webhook_url`, an endpoint's `url`):
 * an absolute http(s) URL without credentials whose host resolves to addresses the policy allows.
 * Answers the reason, starting with the field's name, or null. Delivery checks again at connect
 * time, since DNS can change in between.
 */
export async function destinationUrlProblem(url: string, field: string, opts: { policy: AddressPolicy; timeoutMs: number }): Promise<string | null> {
  const reason = urlProblem(url, { assetKind: () => undefined });
  if (reason) return `${field} ${reason}`;
  try {
    await checkOutboundUrl(url, opts);
    return null;
  } catch (err) {
    if (!(err instanceof SafeRequestError)) throw err;
    return `${field} ${describeFetchError(err)}`;
  }
}

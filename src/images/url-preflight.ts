import sharp from 'sharp';
import type { ImageFetcher } from '../outbound/image-fetcher.js';
import { SafeRequestError } from '../outbound/safe-request-error.js';
import type { Modification } from '../renderer/index.js';
import { LIMITS } from '../renderer/index.js';
import type { ModificationProblem } from '../templates/modifications.js';

/**
 * Fetches each remote image a request names (through the SSRF-safe, caching fetcher) and checks
 * that it is an image within the pixel limit, so an unreachable or non-image URL is a 400 at POST
 * time rather than a failed render later.
 */
export async function preflightImageUrls(mods: readonly Modification[], fetcher: ImageFetcher): Promise<ModificationProblem[]> {
  const targets = mods.filter((m): m is Modification & { image_url: string } => typeof m.image_url === 'string');
  const results = await Promise.all(
    targets.map(async (m): Promise<ModificationProblem | null> => {
      let bytes: Buffer;
      try {
        bytes = await fetcher.fetch(m.image_url);
      } catch (err) {
        if (err instanceof SafeRequestError) return { name: m.name, reason: `image_url could not be fetched: ${describe(err)}` };
        throw err;
      }
      try {
        const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
        const pixels = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0);
        if (pixels > LIMITS.maxInputPixels) {
          return { name: m.name, reason: `image_url is ${meta.width}x${meta.height}; the limit is ${LIMITS.maxInputPixels / 1e6} megapixels` };
        }
        return null;
      } catch {
        return { name: m.name, reason: 'image_url did not return a supported image (PNG, JPEG, WebP, GIF, AVIF or SVG)' };
      }
    }),
  );
  return results.filter((r): r is ModificationProblem => r !== null);
}

/** Says what went wrong without naming internal addresses. */
function describe(err: SafeRequestError): string {
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

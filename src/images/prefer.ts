export const MAX_PREFER_WAIT_SECONDS = 30;

export type PreferWait = { ok: true; wait: number | null } | { ok: false; error: 'not_integer' | 'too_large' };

/**
 * RFC 7240 `Prefer` header: only `wait=N` means something here; other preferences are ignored.
 * N must be a whole number of seconds from 0 to 30.
 */
export function parsePreferWait(header: string | string[] | undefined): PreferWait {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (!raw) return { ok: true, wait: null };
  let wait: number | null = null;
  for (const part of raw.split(/[,;]/)) {
    const [k, ...rest] = part.split('=');
    if (k.trim().toLowerCase() !== 'wait') continue;
    const v = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
    if (!/^\d{1,6}$/.test(v)) return { ok: false, error: 'not_integer' };
    const n = Number(v);
    if (n > MAX_PREFER_WAIT_SECONDS) return { ok: false, error: 'too_large' };
    wait = n;
  }
  return { ok: true, wait };
}

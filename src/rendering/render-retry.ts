import type { ImageError } from '../images/image.entity.js';
import { isPermanentRenderError, SourceError } from './image-sources.js';
import { RenderError } from '../renderer/index.js';

/**
 * A render that hit its deadline (render_timeout) or killed its thread (render_crashed) runs at
 * most this many times: a second run may land on a quieter worker, a third is as likely to do
 * the same again, and each holds a render thread for up to RENDER_TIMEOUT_MS.
 */
export const THREAD_FAILURE_MAX_RUNS = 2;

export function isThreadFailure(err: unknown): boolean {
  return err instanceof RenderError && (err.code === 'render_timeout' || err.code === 'render_crashed');
}

/**
 * Whether a failed attempt (1-based, as the queue counts it) is retried, and the error the row
 * gets when it is not. Budget, input and other render errors are permanent; source failures
 * say themselves; unknown failures (database or storage hiccups) are retried, and reported
 * opaquely when they are not.
 */
export function classifyFailure(err: unknown, attempt: number, finalAttempt: boolean): { retry: boolean; error: ImageError } {
  let transient: boolean;
  let error: ImageError;
  if (err instanceof SourceError) {
    transient = err.transient;
    error = { code: err.code, message: err.message, ...(err.layer ? { layer: err.layer } : {}) };
  } else if (err instanceof RenderError) {
    transient = !isPermanentRenderError(err);
    error = err.toJSON();
  } else {
    transient = (err as { transient?: boolean } | null)?.transient !== false;
    error = { code: 'internal_error', message: 'The render failed unexpectedly' };
  }
  const threadRunsLeft = !isThreadFailure(err) || attempt < THREAD_FAILURE_MAX_RUNS;
  return { retry: transient && !finalAttempt && threadRunsLeft, error };
}

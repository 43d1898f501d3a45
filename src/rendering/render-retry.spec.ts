import { describe, expect, it } from '@jest/globals';
import { RenderError } from '../renderer/index.js';
import { SourceError } from './image-sources.js';
import { classifyFailure } from './render-retry.js';

describe('classifyFailure', () => {
  it.each(['render_timeout', 'render_crashed'] as const)('retries %s once: the first run is retried, the second is final', (code) => {
    const err = new RenderError(code, 'x');
    expect(classifyFailure(err, 1, false)).toEqual({ retry: true, error: { code, message: 'x' } });
    expect(classifyFailure(err, 2, false).retry).toBe(false);
    expect(classifyFailure(err, 1, true).retry).toBe(false);
  });

  it('keeps retrying render_busy and transient source failures up to the queue attempts', () => {
    expect(classifyFailure(new RenderError('render_busy', 'full'), 4, false).retry).toBe(true);
    expect(classifyFailure(new SourceError('image_unavailable', 'timeout', true, 'photo'), 3, false)).toEqual({
      retry: true,
      error: { code: 'image_unavailable', message: 'timeout', layer: 'photo' },
    });
    expect(classifyFailure(new RenderError('render_busy', 'full'), 5, true).retry).toBe(false);
  });

  it.each(['render_pixel_budget_exceeded', 'render_bytes_budget_exceeded', 'render_layer_budget_exceeded', 'render_text_budget_exceeded', 'image_too_large'] as const)(
    'never retries %s: a budget error is permanent',
    (code) => {
      expect(classifyFailure(new RenderError(code, 'over', 'photo'), 1, false)).toEqual({ retry: false, error: { code, message: 'over', layer: 'photo' } });
    },
  );

  it('retries unknown failures and reports them opaquely', () => {
    expect(classifyFailure(new Error('ECONNRESET'), 1, false)).toEqual({ retry: true, error: { code: 'internal_error', message: 'The render failed unexpectedly' } });
    expect(classifyFailure(Object.assign(new Error('no'), { transient: false }), 1, false).retry).toBe(false);
  });
});

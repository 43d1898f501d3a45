import { PyDict, PyEnum, PyFloat, PyInt, PyList, PyStr, PyUuid } from '../validation/decorators.js';
import { INT32_MAX, ModelConfig } from '../validation/fields.js';
import { LIMITS } from '../renderer/index.js';
import { MAX_METADATA_BYTES } from '../images/images.dto.js';
import { MODIFICATION_ITEM } from '../templates/modification-input.js';
import { VIDEO_FORMATS, VIDEO_FPS, VIDEO_STATUSES } from './video.entity.js';

/** A clip is at most this long; longer is a 422 naming duration_seconds. */
export const MAX_VIDEO_SECONDS = 60;
/** Templates at most this size render as videos (either orientation); larger is a 400 naming template_id. */
export const MAX_VIDEO_SIDES = [1920, 1080] as const;

@ModelConfig({ extra: 'forbid' })
export class CreateVideoDto {
  @PyUuid({ example: '3f0c8a52-9d1e-4b7a-8c55-2e1f0a9b7c13' })
  template_id: string;

  @PyInt({ ge: 1, le: INT32_MAX, optional: true, description: 'Published version to render; default: the current one' })
  template_version?: number;

  @PyList(MODIFICATION_ITEM, { maxItems: LIMITS.maxModifications, default: [], example: [{ name: 'headline', text: 'Now in motion' }] })
  modifications: Record<string, unknown>[] = [];

  @PyFloat({ gt: 0, le: MAX_VIDEO_SECONDS, example: 5, description: `Length of the clip in seconds (above 0, at most ${MAX_VIDEO_SECONDS})` })
  duration_seconds: number;

  @PyEnum([...VIDEO_FPS], { example: 30, description: 'Frames per second' })
  fps: (typeof VIDEO_FPS)[number];

  @PyEnum([...VIDEO_FORMATS], { default: 'mp4', description: 'mp4: H.264, yuv420p, +faststart; webm: VP9' })
  format: (typeof VIDEO_FORMATS)[number] = 'mp4';

  @PyFloat({ ge: 0, le: MAX_VIDEO_SECONDS, optional: true, description: 'Seconds: the frame the thumbnail (poster) shows; default 0' })
  poster_time?: number;

  @PyStr({ minLength: 1, maxLength: 2048, optional: true, description: 'Receives a signed video.completed / video.failed event' })
  webhook_url?: string;

  @PyDict({ optional: true, description: `Your own key/value pairs (at most ${MAX_METADATA_BYTES} bytes as JSON)` })
  metadata?: Record<string, unknown>;
}

@ModelConfig({ extra: 'ignore' })
export class ListVideosQuery {
  @PyEnum([...VIDEO_STATUSES], { optional: true })
  status?: (typeof VIDEO_STATUSES)[number];

  @PyUuid({ optional: true })
  template_id?: string;

  @PyInt({ ge: 1, le: 100, default: 20 })
  limit = 20;

  @PyStr({ maxLength: 200, optional: true, description: 'next_cursor of the previous page' })
  cursor?: string;
}

import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { CollectionOut } from '../collections/collection.dto.js';
import { CollectionsRepository } from '../collections/collections.repository.js';
import { ImageOut } from '../images/image.dto.js';
import { ImagesRepository } from '../images/images.repository.js';
import { ResourceKind } from '../queue/outbox.types.js';
import { VideoOut } from '../videos/video.dto.js';
import { VideosRepository } from '../videos/videos.repository.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage.types.js';

/** An event's `data`: the resource exactly as its GET answers it (URLs freshly signed), or null when it is gone. */
export type ResourceSerializer = (id: string) => Promise<object | null>;

/**
 * The serializer of each resource kind an event can carry. Typed as a record over ResourceKind, so
 * adding a kind (collection, video) without its entry here does not compile.
 */
@Injectable()
export class EventResources {
  private readonly serializers: Readonly<Record<ResourceKind, ResourceSerializer>>;

  constructor(
    images: ImagesRepository,
    collections: CollectionsRepository,
    videos: VideosRepository,
    @Inject(STORAGE_DRIVER) storage: StorageDriver,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.serializers = {
      [ResourceKind.Image]: async (id) => {
        const row = await images.findById(id);
        return row && ImageOut.from(row, storage, config.signedUrlTtlSeconds);
      },
      [ResourceKind.Collection]: async (id) => {
        const row = await collections.findById(id);
        return row && CollectionOut.from(row);
      },
      [ResourceKind.Video]: async (id) => {
        const row = await videos.findById(id);
        return row && VideoOut.from(row, storage, config.signedUrlTtlSeconds);
      },
    };
  }

  data(kind: ResourceKind, id: string): Promise<object | null> {
    const serialize = this.serializers[kind] as ResourceSerializer | undefined;
    if (!serialize) throw new Error(`no event serializer for resource kind "${kind}"`);
    return serialize(id);
  }
}

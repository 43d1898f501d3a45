import { Module } from '@nestjs/common';
import { ImagesDataModule } from '../images/images-data.module.js';
import { CollectionsRepository } from './collections.repository.js';

/**
 * The collections table's owner alone. Every process that finishes images (the worker's render
 * job and sweeper) imports it: constructing the repository registers the counter on images.
 */
@Module({
  imports: [ImagesDataModule],
  providers: [CollectionsRepository],
  exports: [CollectionsRepository],
})
export class CollectionsDataModule {}

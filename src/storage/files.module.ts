import { Module } from '@nestjs/common';
import { FilesController } from './files.controller.js';
import { FilesService } from './files.service.js';

/** API only: serves local-storage downloads to holders of a signed URL. */
@Module({ controllers: [FilesController], providers: [FilesService] })
export class FilesModule {}

import { Global, Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module.js';
import { ImageRequestsModule } from '../images/image-requests.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { PERSON_DIRECTORY } from '../templates/person-refs.js';
import { PeopleRendersController } from './people-renders.controller.js';
import { PeopleRendersService } from './people-renders.service.js';
import { PeopleController } from './people.controller.js';
import { PeopleRepository } from './people.repository.js';
import { PeopleService } from './people.service.js';

/**
 * The people directory. Global only for PERSON_DIRECTORY: TemplatesService resolves person
 * references in modifications through that port without templates/ importing people/.
 * Batch renders per person build on images, templates and collections.
 */
@Global()
@Module({
  imports: [CollectionsModule, ImageRequestsModule, TemplatesModule],
  controllers: [PeopleRendersController, PeopleController],
  providers: [PeopleRepository, PeopleService, PeopleRendersService, { provide: PERSON_DIRECTORY, useExisting: PeopleRepository }],
  exports: [PERSON_DIRECTORY],
})
export class PeopleModule {}

import { Global, Module } from '@nestjs/common';
import { PERSON_DIRECTORY } from '../templates/person-refs.js';
import { PeopleController } from './people.controller.js';
import { PeopleRepository } from './people.repository.js';
import { PeopleService } from './people.service.js';

/**
 * The people directory. Global only for PERSON_DIRECTORY: TemplatesService resolves person
 * references in modifications through that port without templates/ importing people/.
 */
@Global()
@Module({
  controllers: [PeopleController],
  providers: [PeopleRepository, PeopleService, { provide: PERSON_DIRECTORY, useExisting: PeopleRepository }],
  exports: [PERSON_DIRECTORY],
})
export class PeopleModule {}

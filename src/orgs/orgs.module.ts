import { Global, Module } from '@nestjs/common';
import { AuthGuard } from './auth/auth.guard.js';
import { OrgsService } from './orgs.service.js';

@Global()
@Module({
  providers: [OrgsService, AuthGuard],
  exports: [OrgsService, AuthGuard],
})
export class OrgsModule {}

import { Global, Module } from '@nestjs/common';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { AuthGuard } from './auth/auth.guard.js';
import { LastUsedRecorder } from './auth/last-used.js';
import { VerifiedKeys } from './auth/verified-keys.js';
import { OrgsService } from './orgs.service.js';

@Global()
@Module({
  imports: [RateLimitModule],
  providers: [OrgsService, VerifiedKeys, LastUsedRecorder, AuthGuard],
  exports: [OrgsService, VerifiedKeys, LastUsedRecorder, AuthGuard],
})
export class OrgsModule {}

import type { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

/**
 * A pass that runs every `intervalMs` from bootstrap to shutdown, never two at once; a failed
 * pass is logged (at most one line every 5 s: a database outage fails every pass alike) and the
 * next one runs as usual. The reconcilers of images and videos are such tasks.
 */
export abstract class PeriodicTask implements OnApplicationBootstrap, OnModuleDestroy {
  protected abstract readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private busy = false;
  private lastWarn = 0;

  protected abstract get intervalMs(): number;

  /** Whether the first pass runs at bootstrap rather than one interval later (for long intervals). */
  protected readonly runsAtStart: boolean = false;

  protected abstract pass(): Promise<unknown>;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.run(), this.intervalMs);
    this.timer.unref();
    if (this.runsAtStart) this.run();
  }

  private run(): void {
    if (this.busy) return;
    this.busy = true;
    this.pass()
      .catch((err: unknown) => this.warn(`pass failed: ${String(err)}`))
      .finally(() => (this.busy = false));
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  protected warn(msg: string): void {
    if (Date.now() - this.lastWarn < 5000) return;
    this.lastWarn = Date.now();
    this.logger.warn(msg);
  }
}

import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RenderProducer } from '../queue/render.producer.js';

/**
 * Lets `Prefer: wait=N` requests sleep until their render settles. Woken by the queue's global
 * completed/failed events; the caller re-reads the row, and also polls slowly in case an event
 * is missed (a Redis reconnect).
 */
@Injectable()
export class ImageWaiter implements OnModuleInit, OnModuleDestroy {
  private readonly waiting = new Map<string, Set<() => void>>();
  private unsubscribe?: () => void;

  constructor(private readonly producer: RenderProducer) {}

  onModuleInit(): void {
    this.unsubscribe = this.producer.onSettled((id) => this.wake(id));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const id of [...this.waiting.keys()]) this.wake(id);
  }

  private wake(id: string): void {
    const set = this.waiting.get(id);
    if (!set) return;
    this.waiting.delete(id);
    for (const fn of set) fn();
  }

  /** Resolves true when `isDone` holds before the deadline, false otherwise. */
  async waitFor(id: string, deadlineMs: number, isDone: () => Promise<boolean>, pollMs = 250): Promise<boolean> {
    while (Date.now() < deadlineMs) {
      if (await isDone()) return true;
      const remaining = deadlineMs - Date.now();
      if (remaining <= 0) break;
      await new Promise<void>((resolve) => {
        const set = this.waiting.get(id) ?? new Set();
        const done = () => {
          clearTimeout(timer);
          set.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(pollMs, remaining));
        set.add(done);
        this.waiting.set(id, set);
      });
    }
    return isDone();
  }
}

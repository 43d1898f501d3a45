import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RenderProducer } from '../queue/render.producer.js';
import { isTerminal } from './render-request.js';

/** Where settle events come from: a producer's queue (image renders, videos). */
export interface SettleSource {
  onSettled(listener: (id: string) => void): () => void;
}

/**
 * Lets `Prefer: wait=N` requests sleep until their render settles. Woken by the queue's global
 * completed/failed events; the caller re-reads the row, and also polls slowly in case an event
 * is missed (a Redis reconnect).
 */
export abstract class SettleWaiter implements OnModuleInit, OnModuleDestroy {
  private readonly waiting = new Map<string, Set<() => void>>();
  private unsubscribe?: () => void;

  protected constructor(private readonly source: SettleSource) {}

  onModuleInit(): void {
    this.unsubscribe = this.source.onSettled((id) => this.wake(id));
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

  /** Waits up to `waitSeconds` for the row to be completed or failed (`statusOf` re-reads it; null when gone). */
  waitForTerminal(id: string, waitSeconds: number, statusOf: () => Promise<string | null>): Promise<boolean> {
    return this.waitFor(id, Date.now() + waitSeconds * 1000, async () => {
      const status = await statusOf();
      return status !== null && isTerminal(status);
    });
  }
}

/** Prefer: wait for images, woken by the render queue. */
@Injectable()
export class ImageWaiter extends SettleWaiter {
  constructor(producer: RenderProducer) {
    super(producer);
  }
}

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Scheduling priority of the threads that do bulk CPU work on request input (inspection, large
 * JSON bodies, libvips), so that on a host with few cores the API's event-loop thread gets the
 * CPU first and other organisations' requests are not queued behind one tenant's upload. Linux
 * schedules threads individually and a thread's nice value may be raised without privileges;
 * elsewhere (or without /proc) these are no-ops.
 */

/** The calling thread's kernel id, from /proc/thread-self ("<pid>/task/<tid>"), or null. */
function threadId(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/** Lowers the calling thread's priority to `nice` (0: leave it). Never throws. */
export function lowerThisThreadPriority(nice: number): void {
  if (nice <= 0) return;
  const tid = threadId();
  if (tid === null) return;
  try {
    setPriority(tid, nice);
  } catch {
    // Not permitted or not Linux: the thread keeps its priority.
  }
}

/**
 * Lowers every libvips worker thread of this process to `nice` (sharp decodes and resizes on
 * them). libvips starts them on demand, so callers run this before handing sharp more work.
 */
export function lowerLibvipsPriority(nice: number): void {
  if (nice <= 0) return;
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const tid of tasks) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').startsWith('libvips')) setPriority(Number(tid), nice);
    } catch {
      // The thread ended meanwhile, or not permitted.
    }
  }
}

/**
 * Charts draw one at a time, each in its own task: the first figure is on screen without waiting
 * for the others, and the page paints and takes input between draws (the live view's four first
 * draws in one task held the main thread for 0.6 s on SwiftShader here). A draw whose chart has
 * newer props by its turn is skipped by its owner (Plot checks `cancelled`).
 */
import { markFiguresDrawn } from '../perf';

type Draw = () => Promise<void> | void;
const queue: Array<{ draw: Draw; done: () => void; fail: (e: unknown) => void }> = [];
let running = false;

/** A fresh task: scheduler.yield where the browser has it, else a zero-delay timeout. */
function nextTask(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return s?.yield ? s.yield() : new Promise((resolve) => setTimeout(resolve, 0));
}

async function drain(): Promise<void> {
  try {
    for (let job = queue.shift(); job; job = queue.shift()) {
      try {
        await job.draw();
        job.done();
      } catch (e) {
        job.fail(e);
      }
      if (queue.length) await nextTask();
    }
  } finally {
    running = false;
  }
  markFiguresDrawn();
}

/** Run `draw` after the draws queued before it, in a task of its own. */
export function queueDraw(draw: Draw): Promise<void> {
  return new Promise<void>((done, fail) => {
    queue.push({ draw, done, fail });
    if (running) return;
    running = true;
    void nextTask().then(drain);
  });
}

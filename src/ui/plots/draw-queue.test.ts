import { describe, expect, it } from 'vitest';
import { figuresDrawn } from '../perf';
import { queueDraw } from './draw-queue';

describe('chart draw queue', () => {
  it('draws in the order queued, one per task; a failed draw rejects only its own promise', async () => {
    const log: string[] = [];
    let drawnYet = false;
    void figuresDrawn.then(() => {
      drawnYet = true;
    });
    const a = queueDraw(() => {
      log.push('a');
      // Work queued by a draw runs before the next draw: the next one is in a later task.
      setTimeout(() => log.push('after a'), 0);
    });
    const b = queueDraw(async () => {
      log.push('b');
      throw new Error('b failed');
    });
    const c = queueDraw(() => {
      log.push('c');
    });
    expect(log, 'nothing draws in the task that queued it').toEqual([]);
    await a;
    await expect(b).rejects.toThrow('b failed');
    await c;
    expect(log).toEqual(['a', 'after a', 'b', 'c']);
    await figuresDrawn;
    expect(drawnYet).toBe(true);
  });
});

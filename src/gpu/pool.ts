/**
 * Buffer pool: storage and uniform buffers are reused by (size class, usage) instead of being
 * created and destroyed per op. Buffers released while commands that use them are still being
 * recorded go to a pending list and only return to the pool when those commands are submitted
 * (queue.writeBuffer is ordered after a submit, never before it).
 */
export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private pending: Array<{ key: string; buffer: GPUBuffer }> = [];
  private live = 0;
  private pooledBytes = 0;

  constructor(private device: GPUDevice) {}

  static sizeClass(bytes: number): number {
    // Round up to 256 bytes, then to the next of {1, 1.25, 1.5, 1.75} × 2^k to bound waste at 25%.
    const b = Math.max(256, Math.ceil(bytes / 256) * 256);
    const p = 2 ** Math.floor(Math.log2(b));
    for (const f of [1, 1.25, 1.5, 1.75, 2]) {
      const s = Math.ceil((p * f) / 256) * 256;
      if (s >= b) return s;
    }
    return b;
  }

  acquire(bytes: number, usage: GPUBufferUsageFlags, label?: string): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    const key = `${size}:${usage}`;
    const list = this.free.get(key);
    this.live++;
    const reused = list?.pop();
    if (reused) {
      this.pooledBytes -= size;
      return reused;
    }
    return this.device.createBuffer({ size, usage, label });
  }

  /** Give a buffer back; it becomes reusable after the next submit. */
  release(buffer: GPUBuffer): void {
    this.live--;
    this.pending.push({ key: `${buffer.size}:${buffer.usage}`, buffer });
  }

  /** Called right after the queue submit that used the pending buffers. */
  afterSubmit(): void {
    for (const { key, buffer } of this.pending) {
      let list = this.free.get(key);
      if (!list) this.free.set(key, (list = []));
      list.push(buffer);
      this.pooledBytes += buffer.size;
    }
    this.pending.length = 0;
    // Keep the pool bounded: drop everything above 256 MiB of idle buffers.
    if (this.pooledBytes > 256 * 2 ** 20) this.trim();
  }

  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }

  stats(): { live: number; pooledBytes: number } {
    return { live: this.live, pooledBytes: this.pooledBytes };
  }
}

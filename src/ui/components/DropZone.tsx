import { type ReactNode, useState } from 'react';
import { usePlayground } from '../playground';

/** The whole page accepts a dropped .npy / .safetensors matrix or a result / config .json. */
export function DropZone({ children }: { children: ReactNode }) {
  const [over, setOver] = useState(false);
  const drop = usePlayground((s) => s.dropFile);
  return (
    <section
      aria-label="Playground: drop a matrix or JSON file anywhere"
      className={over ? 'drop-zone over' : 'drop-zone'}
      data-testid="drop-zone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const f = e.dataTransfer.files[0];
        if (f) void drop(f);
      }}
    >
      {children}
    </section>
  );
}

import { useId } from 'react';

/**
 * The "Learning rate" number field of the training views: a value in (0, 10] is passed on, anything
 * else (empty, 0, negative, over 10) is ignored so the config keeps its last valid lr.
 */
export function LearningRateField({
  value,
  min,
  max = 10,
  step,
  onChange,
}: {
  value: number;
  min: number;
  /** The input's max (its spinner's range); typed values up to 10 are still taken. */
  max?: number;
  step: number;
  onChange(lr: number): void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Learning rate</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        step={step}
        value={value}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (v > 0 && v <= 10) onChange(v);
        }}
      />
    </div>
  );
}

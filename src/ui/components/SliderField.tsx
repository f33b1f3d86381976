import { useId } from 'react';

export interface SliderFieldProps {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange(v: number): void;
  disabled?: boolean;
  hint?: string;
}

/** A labelled range slider paired with a numeric input; both carry the label as their name. */
export function SliderField({ label, value, min, max, step, onChange, disabled, hint }: SliderFieldProps) {
  const id = useId();
  const set = (raw: string) => {
    const v = Number(raw);
    if (raw !== '' && Number.isFinite(v)) onChange(v);
  };
  return (
    <div className="field slider-field">
      <label htmlFor={id}>{label}</label>
      <div className="slider-row">
        <input
          id={id}
          type="range"
          min={min}
          max={max}
          step={step}
          value={value}
          disabled={disabled}
          // React's onChange on a range input fires on every input event (while dragging).
          onChange={(e) => set(e.target.value)}
          data-testid={`slider-${label}`}
        />
        <input
          type="number"
          aria-label={label}
          min={min}
          max={max}
          step={step}
          value={value}
          disabled={disabled}
          onChange={(e) => set(e.target.value)}
        />
      </div>
      {hint ? <p className="muted small">{hint}</p> : null}
    </div>
  );
}

import { useId, useState } from 'react';
import { nearest } from '../control-values';

export interface SliderFieldProps {
  label: string;
  /** The value in effect; null when the current method has no such field (the field shows nothing). */
  value: number | null;
  /** Continuous: min, max, step. */
  min?: number;
  max?: number;
  step?: number;
  /** Discrete: the only values the slider walks through (ascending), e.g. the divisors of n. */
  values?: number[];
  /** Why only `values` are allowed ("Blocks must divide 64"), said when a typed value is snapped. */
  valuesRule?: string;
  /** The numeric input may go beyond the slider (e.g. Run takes sizes the live slider does not). */
  inputMax?: number;
  onChange(v: number): void;
  disabled?: boolean;
  hint?: string;
}

/**
 * A labelled range slider paired with a numeric input; both carry the label as their name. The
 * slider only offers valid values; a typed value outside them is clamped (or snapped to the nearest
 * valid one) when the input is left or Enter is pressed, and a note says what happened.
 */
export function SliderField({
  label,
  value,
  min = 0,
  max = 1,
  step = 1,
  values,
  valuesRule,
  inputMax,
  onChange,
  disabled,
  hint,
}: SliderFieldProps) {
  const id = useId();
  const noteId = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const lo = values ? values[0] : min;
  const hi = values ? values[values.length - 1] : (inputMax ?? max);
  const valid = (v: number) =>
    Number.isFinite(v) && v >= lo && v <= hi && (values ? values.includes(v) : true);
  const commit = (v: number) => {
    setNote(null);
    onChange(v);
  };
  /** Leaving the input (or Enter): an invalid typed value becomes the nearest valid one, said aloud. */
  const settle = () => {
    if (draft === null) return;
    const v = Number(draft);
    setDraft(null);
    if (draft === '' || !Number.isFinite(v) || valid(v)) return;
    let to: number;
    let why: string;
    if (v > hi) {
      to = hi;
      why = `${v} is more than ${hi}, the largest ${label}`;
    } else if (v < lo) {
      to = lo;
      why = `${v} is less than ${lo}, the smallest ${label}`;
    } else {
      to = nearest(values ?? [], v);
      why = `${v} is not allowed${valuesRule ? ` (${valuesRule})` : ''}`;
    }
    onChange(to);
    setNote(`${why}: set to ${to}.`);
  };
  const index = values && value !== null ? Math.max(0, values.indexOf(nearest(values, value))) : 0;
  const off = disabled || value === null;
  return (
    <div className="field slider-field">
      <label htmlFor={id}>{label}</label>
      <div className="slider-row">
        <input
          id={id}
          type="range"
          min={values ? 0 : min}
          max={values ? values.length - 1 : max}
          step={values ? 1 : step}
          value={values ? index : (value ?? min)}
          aria-valuetext={value === null ? 'not used' : String(value)}
          disabled={off}
          // React's onChange on a range input fires on every input event (while dragging).
          onChange={(e) => {
            const raw = Number(e.target.value);
            commit(values ? values[raw] : raw);
          }}
          data-testid={`slider-${label}`}
        />
        <input
          type="number"
          aria-label={label}
          aria-describedby={note ? noteId : undefined}
          min={lo}
          max={hi}
          step={values ? 'any' : step}
          value={draft ?? (value === null ? '' : value)}
          placeholder={value === null ? '—' : undefined}
          disabled={off}
          onChange={(e) => {
            const raw = e.target.value;
            setDraft(raw);
            const v = Number(raw);
            if (raw !== '' && valid(v)) commit(v);
          }}
          onBlur={settle}
          onKeyDown={(e) => {
            if (e.key === 'Enter') settle();
          }}
        />
      </div>
      {note ? (
        <p className="small field-note" role="status" id={noteId} data-testid={`note-${label}`}>
          {note}
        </p>
      ) : null}
      {hint ? <p className="muted small">{hint}</p> : null}
    </div>
  );
}

import { useId } from 'react';
import { usePlayground } from '../playground';

export function PresetPicker() {
  const presets = usePlayground((s) => s.presets);
  const file = usePlayground((s) => s.presetFile);
  const select = usePlayground((s) => s.selectPreset);
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Preset</label>
      <select id={id} value={file ?? ''} onChange={(e) => void select(e.target.value)}>
        {file === null ? <option value="">(custom)</option> : null}
        {presets.map((p) => (
          <option key={p.file} value={p.file}>
            {p.kind}: {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}

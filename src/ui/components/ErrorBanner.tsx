import { usePlayground } from '../playground';
import { useSelfCheck } from '../selfcheck-store';

/** Every worker / engine error as plain text (React escapes it: never HTML). */
export function ErrorBanner() {
  const checkErrors = useSelfCheck((s) => s.errors);
  const dismissCheck = useSelfCheck((s) => s.dismissError);
  const runErrors = usePlayground((s) => s.errors);
  const dismissRun = usePlayground((s) => s.dismissError);
  const errors = [...checkErrors, ...runErrors];
  const dismiss = (i: number) =>
    i < checkErrors.length ? dismissCheck(i) : dismissRun(i - checkErrors.length);
  if (errors.length === 0) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      {errors.map((msg, i) => (
        // Errors are append-only text; the index is a stable enough key here.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <div className="banner-row" key={i}>
          <span className="banner-text">{msg}</span>
          <button type="button" className="link-button" onClick={() => dismiss(i)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

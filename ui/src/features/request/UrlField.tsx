// The URL input with `{{variables}}` highlighted: a mirror layer behind a transparent input
// colours known variables and flags unknown ones in red (with a tooltip-free text list below).
import type { ChangeEvent } from "react";
import { segments } from "../../lib/variables";

interface Props {
  value: string;
  onChange(e: ChangeEvent<HTMLInputElement>): void;
  known: ReadonlySet<string>;
}

export function UrlField({ value, onChange, known }: Props) {
  const segs = segments(value, known);
  const unknown = segs.filter((s) => s.unknown).map((s) => s.variable);
  return (
    <span className="url-field">
      <span className="url-mirror" aria-hidden="true">
        {segs.map((s, i) =>
          s.variable === null ? <span key={i}>{s.text}</span>
            : <mark key={i} className={s.unknown ? "var var-unknown" : "var"} data-variable={s.variable}>{s.text}</mark>,
        )}
      </span>
      <input
        aria-label="URL"
        aria-invalid={unknown.length > 0}
        aria-describedby={unknown.length ? "url-unknown" : undefined}
        className="url"
        spellCheck={false}
        placeholder="ws://127.0.0.1:8080/echo"
        value={value}
        onChange={onChange}
      />
      {unknown.length > 0 && (
        <span id="url-unknown" className="url-unknown">unknown: {unknown.map((n) => `{{${n}}}`).join(", ")}</span>
      )}
    </span>
  );
}

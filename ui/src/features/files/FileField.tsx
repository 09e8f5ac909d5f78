// A file setting chosen through the OS dialog: the chosen file's name (full path as its title), a
// Choose button and a Clear button. There is no text box for the path.
import { pickFile, type FileFilter } from "../../ipc";
import { baseName } from "../../lib/fileKinds";

interface Props {
  /** The setting's name: the buttons are `Choose <label>` and `Clear <label>`. */
  label: string;
  value: string;
  onChange(path: string): void;
  filters?: FileFilter[];
}

export function FileField({ label, value, onChange, filters }: Props) {
  const choose = async () => {
    const p = await pickFile({ title: `Choose ${label.toLowerCase()}`, filters });
    if (p) onChange(p);
  };
  return (
    <span className="file-field" role="group" aria-label={label}>
      <span role="note" className={value ? "file-name" : "file-name muted"} title={value || undefined} aria-label={`${label} path`}>
        {value ? baseName(value) : "none"}
      </span>
      <button type="button" aria-label={`Choose ${label}`} onClick={() => void choose()}>Choose…</button>
      {value && <button type="button" aria-label={`Clear ${label}`} title="Clear" onClick={() => onChange("")}>×</button>}
    </span>
  );
}

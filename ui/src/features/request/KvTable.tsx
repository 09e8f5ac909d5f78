// A name/value table with an enabled box per row (Params, Headers, login/ticket headers).
import type { KvDto } from "../../ipc";

interface Props {
  /** `Header`, `Param`, ...: used in every control's accessible name. */
  noun: string;
  rows: KvDto[];
  onChange(rows: KvDto[]): void;
}

export function KvTable({ noun, rows, onChange }: Props) {
  const set = (i: number, patch: Partial<KvDto>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="kv">
      <table>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td><input type="checkbox" aria-label={`${noun} enabled ${i + 1}`} checked={r.enabled} onChange={(e) => set(i, { enabled: e.target.checked })} /></td>
              <td><input aria-label={`${noun} name ${i + 1}`} placeholder="name" value={r.name} onChange={(e) => set(i, { name: e.target.value })} /></td>
              <td><input aria-label={`${noun} value ${i + 1}`} placeholder="value" value={r.value} onChange={(e) => set(i, { value: e.target.value })} /></td>
              <td><button type="button" aria-label={`Remove ${noun.toLowerCase()} ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>×</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => onChange([...rows, { name: "", value: "", enabled: true }])}>Add {noun.toLowerCase()}</button>
    </div>
  );
}

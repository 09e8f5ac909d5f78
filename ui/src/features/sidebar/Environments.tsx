// The Environments section: pick the active environment, create one in a collection, and edit
// its name and variables (value, secret flag); Save writes them to the store.
import { useEffect, useState } from "react";
import { backend, type EnvironmentDto, type TreeNodeDto, type VariableDto } from "../../ipc";

interface Props {
  envs: EnvironmentDto[];
  collections: TreeNodeDto[];
  onChanged(): Promise<void>;
  onError(message: string): void;
}

export function Environments(p: Props) {
  const active = p.envs.find((e) => e.active) ?? null;
  const [editId, setEditId] = useState<number | null>(null);
  const editing = p.envs.find((e) => e.id === editId) ?? active;
  const [vars, setVars] = useState<VariableDto[]>([]);
  const [name, setName] = useState("");
  const [creating, setCreating] = useState<{ collection: number; name: string } | null>(null);

  useEffect(() => {
    setVars(editing ? editing.variables.map((v) => ({ ...v })) : []);
    setName(editing?.name ?? "");
  }, [editing?.id, p.envs]); // eslint-disable-line react-hooks/exhaustive-deps

  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      await p.onChanged();
    } catch (e) {
      p.onError((e as { message: string }).message);
    }
  };

  const setVar = (i: number, patch: Partial<VariableDto>) => setVars((vs) => vs.map((v, j) => (j === i ? { ...v, ...patch } : v)));

  return (
    <section className="environments" aria-label="Environments">
      <h2>Environments</h2>
      <select
        aria-label="Active environment"
        value={active?.id ?? ""}
        onChange={(e) => {
          const id = e.target.value ? Number(e.target.value) : null;
          setEditId(id);
          void act(() => backend.envSelect(id));
        }}
      >
        <option value="">No environment</option>
        {p.envs.map((e) => (
          <option key={e.id} value={e.id}>{e.name} ({e.collection})</option>
        ))}
      </select>
      {creating ? (
        <div className="env-new">
          <select aria-label="Environment collection" value={creating.collection} onChange={(e) => setCreating({ ...creating, collection: Number(e.target.value) })}>
            {p.collections.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
          <input aria-label="Environment name" autoFocus value={creating.name} onChange={(e) => setCreating({ ...creating, name: e.target.value })}
            onKeyDown={(e) => { if (e.key === "Escape") setCreating(null); }} />
          <button type="button" onClick={() => {
            const c = creating;
            setCreating(null);
            void act(async () => {
              const id = await backend.envCreate(c.collection, c.name);
              await backend.envSelect(id);
              setEditId(id);
            });
          }}>Create environment</button>
        </div>
      ) : (
        <button type="button" disabled={!p.collections.length} onClick={() => setCreating({ collection: p.collections[0]?.id ?? 0, name: "" })}>
          New environment
        </button>
      )}
      {editing && (
        <div className="env-edit" aria-label={`Variables of ${editing.name}`} role="group">
          <input aria-label="Environment name (edit)" value={name} onChange={(e) => setName(e.target.value)} />
          <table className="vars">
            <tbody>
              {vars.map((v, i) => (
                <tr key={i}>
                  <td><input aria-label={`Variable name ${i + 1}`} value={v.name} onChange={(e) => setVar(i, { name: e.target.value })} /></td>
                  <td><input aria-label={`Variable value ${i + 1}`} type={v.secret ? "password" : "text"} placeholder={v.secret ? "(unchanged)" : ""} value={v.value} onChange={(e) => setVar(i, { value: e.target.value })} /></td>
                  <td><input type="checkbox" title="Secret: kept in the OS credential store, hidden here" aria-label={`Secret ${i + 1}`} checked={v.secret} onChange={(e) => setVar(i, { secret: e.target.checked })} /></td>
                  <td><button type="button" aria-label={`Remove variable ${i + 1}`} onClick={() => setVars((vs) => vs.filter((_, j) => j !== i))}>×</button></td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row">
            <button type="button" onClick={() => setVars((vs) => [...vs, { name: "", value: "", secret: false }])}>Add variable</button>
            <button type="button" onClick={() => void act(() => backend.envUpdate(editing.id, name || editing.name, vars))}>Save environment</button>
            <button type="button" aria-label={`Delete environment ${editing.name}`} onClick={() => void act(() => backend.envDelete(editing.id))}>Delete</button>
          </div>
        </div>
      )}
    </section>
  );
}

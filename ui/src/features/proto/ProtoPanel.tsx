// Protobuf settings of the window: Load schema (the OS dialog, or a .proto dropped on the window),
// and the message type the composer encodes with and the log decodes binary messages with.
import { useEffect, useState } from "react";
import { backend, pickFile, type AppError } from "../../ipc";
import { baseName, FILTERS } from "../../lib/fileKinds";

export interface ProtoState {
  types: string[];
  type: string | null;
}

interface Props {
  proto: ProtoState;
  onProto(p: ProtoState): void;
  /** A schema file dropped onto the window, loaded as if chosen here; `seq` tells drops apart. */
  dropped?: { path: string; seq: number } | null;
}

export function ProtoPanel({ proto, onProto, dropped }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState<string | null>(null);

  useEffect(() => {
    if (dropped) void load(dropped.path);
  }, [dropped]); // eslint-disable-line react-hooks/exhaustive-deps

  async function load(path: string) {
    try {
      const s = await backend.protoLoad(path);
      setLoaded(s.path);
      setError(null);
      onProto({ types: s.types, type: null });
    } catch (e) {
      setError((e as AppError).message);
    }
  }

  const pick = async () => {
    const path = await pickFile({ title: "Load a protobuf schema", filters: FILTERS.schema });
    if (path) await load(path);
  };

  const choose = async (t: string) => {
    try {
      await backend.protoSetType(t);
      setError(null);
      onProto({ ...proto, type: t || null });
    } catch (e) {
      setError((e as AppError).message);
    }
  };

  return (
    <div className="proto-panel" role="group" aria-label="Protobuf">
      <button type="button" onClick={() => void pick()} title="Choose a .proto file or a descriptor set (or drop one on the window)">Load schema</button>
      {loaded && <span role="note" className="file-name" title={loaded} aria-label="Schema file">{baseName(loaded)}</span>}
      <select aria-label="Message type" value={proto.type ?? ""} onChange={(e) => void choose(e.target.value)} disabled={!proto.types.length}>
        <option value="">{proto.types.length ? "(no type: show hex)" : "(load a schema)"}</option>
        {proto.types.map((t) => <option key={t} value={t}>{t}</option>)}
      </select>
      {loaded && !error && <span className="muted">{proto.types.length} types</span>}
      {error && <span role="alert" className="error">{error}</span>}
    </div>
  );
}

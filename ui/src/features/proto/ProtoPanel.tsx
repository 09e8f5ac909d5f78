// Protobuf settings of the window: a .proto path, Load schema, and the message type the composer
// encodes with and the log decodes binary messages with.
import { useState } from "react";
import { backend, type AppError } from "../../ipc";

export interface ProtoState {
  types: string[];
  type: string | null;
}

interface Props {
  proto: ProtoState;
  onProto(p: ProtoState): void;
}

export function ProtoPanel({ proto, onProto }: Props) {
  const [path, setPath] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState<string | null>(null);

  const load = async () => {
    try {
      const s = await backend.protoLoad(path);
      setLoaded(s.path);
      setError(null);
      onProto({ types: s.types, type: null });
    } catch (e) {
      setError((e as AppError).message);
    }
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
      <input
        aria-label="Proto file"
        placeholder="/path/to/schema.proto"
        spellCheck={false}
        value={path}
        onChange={(e) => setPath(e.target.value)}
        onKeyDown={(e) => { if (e.key === "Enter") void load(); }}
      />
      <button type="button" onClick={() => void load()} disabled={!path.trim()}>Load schema</button>
      <select aria-label="Message type" value={proto.type ?? ""} onChange={(e) => void choose(e.target.value)} disabled={!proto.types.length}>
        <option value="">{proto.types.length ? "(no type: show hex)" : "(load a schema)"}</option>
        {proto.types.map((t) => <option key={t} value={t}>{t}</option>)}
      </select>
      {loaded && !error && <span className="muted">{proto.types.length} types</span>}
      {error && <span role="alert" className="error">{error}</span>}
    </div>
  );
}

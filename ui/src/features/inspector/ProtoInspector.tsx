// The protobuf inspector (issue 16 item 5): a log row's bytes read as a message type or raw, as a
// field tree beside a hex grid. Hovering or focusing a field highlights its bytes; clicking a byte
// selects its field. The type picker offers "raw" and the loaded schema's ranked suggestions.
// Loaded lazily from the detail pane.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { backend, type AppError, type ProtoInspectDto } from "../../ipc";
import {
  ancestors, bytePart, byteRows, expandablePaths, fieldAt, fieldLabel, hexBytes, otherReadings, pathOfByte,
  visibleFields, type FieldPath,
} from "../../lib/protoInspect";
import "./inspector.css";

interface Props {
  session: number;
  index: number;
  onClose(): void;
}

/** The picker's value for a raw read. */
const RAW = "";

export function ProtoInspector({ session, index, onClose }: Props) {
  // null: the type in use (the log's decode), else a type name or RAW.
  const [typeName, setTypeName] = useState<string | null>(null);
  const [dto, setDto] = useState<ProtoInspectDto | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [expanded, setExpanded] = useState<Set<FieldPath>>(new Set());
  const [hover, setHover] = useState<FieldPath | null>(null);
  const [selected, setSelected] = useState<FieldPath | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const tree = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    backend
      .protoInspect({ session, index, hex: null, type_name: typeName })
      .then((d) => {
        if (!live) return;
        setDto(d);
        setExpanded(new Set(expandablePaths(d.fields)));
        setHover(null);
        setSelected(null);
      })
      .catch((e) => { if (live) setError(e as AppError); });
    return () => { live = false; };
  }, [session, index, typeName]);

  useEffect(() => dialog.current?.focus(), []);
  useEffect(() => {
    if (selected === null) return;
    tree.current?.querySelector<HTMLElement>(`[data-path="${selected}"]`)?.scrollIntoView?.({ block: "nearest" });
  }, [selected]);

  const fields = useMemo(() => dto?.fields ?? [], [dto]);
  const rows = useMemo(() => visibleFields(fields, expanded), [fields, expanded]);
  const bytes = useMemo(() => byteRows(hexBytes(dto?.hex ?? "")), [dto]);
  const active = fieldAt(fields, hover ?? selected);

  const select = (path: FieldPath | null) => {
    setSelected(path);
    setHover(null);
    if (path !== null) setExpanded((e) => new Set([...e, ...ancestors(path)]));
  };
  const toggle = (path: FieldPath) =>
    setExpanded((e) => { const n = new Set(e); if (n.has(path)) n.delete(path); else n.add(path); return n; });
  const focusRow = (i: number) => tree.current?.querySelectorAll<HTMLElement>('[role="treeitem"]')[i]?.focus();

  const onTreeKey = (e: KeyboardEvent, i: number) => {
    const row = rows[i];
    if (e.key === "ArrowDown") focusRow(Math.min(i + 1, rows.length - 1));
    else if (e.key === "ArrowUp") focusRow(Math.max(i - 1, 0));
    else if (e.key === "ArrowRight" && row.expandable && !row.expanded) toggle(row.path);
    else if (e.key === "ArrowLeft" && row.expanded) toggle(row.path);
    else if (e.key === "Enter" || e.key === " ") select(row.path);
    else return;
    e.preventDefault();
  };

  const suggestions = dto?.suggestions ?? [];
  const current = dto?.type_name ?? "";
  const listed = suggestions.some((s) => s.type_name === current);
  const focusIndex = Math.max(0, rows.findIndex((r) => r.path === selected));

  return (
    <div className="pi-overlay" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div ref={dialog} role="dialog" aria-modal="true" aria-label="Protobuf inspector" className="pi-dialog" tabIndex={-1}
        onKeyDown={(e) => { if (e.key === "Escape") { e.preventDefault(); onClose(); } }}>
        <div className="pi-head">
          <h2>Protobuf inspector <span className="muted">row #{index}</span></h2>
          <label>
            Read as{" "}
            <select aria-label="Read as" value={dto ? current : (typeName ?? "")}
              onChange={(e) => setTypeName(e.target.value)}>
              <option value={RAW}>Raw (guessed readings)</option>
              {current !== RAW && !listed && <option value={current}>{current}</option>}
              {suggestions.map((s) => (
                <option key={s.type_name} value={s.type_name}>
                  {s.type_name} ({s.known} known, {s.unknown} unknown)
                </option>
              ))}
            </select>
          </label>
          {suggestions.length > 0 && (
            <span className="pi-detect" aria-label="Detected types">
              Detected: {suggestions.slice(0, 3).map((s) => s.type_name.split(".").pop()).join(", ")}
            </span>
          )}
          <button type="button" onClick={onClose}>Close</button>
        </div>
        {error && <p role="alert" className="error">{error.code}: {error.message}</p>}
        {dto?.error && <p role="alert" className="error">{dto.error.code}: {dto.error.message}</p>}
        <div className="pi-body">
          <div ref={tree} role="tree" aria-label="Protobuf fields" className="pi-tree">
            {dto && rows.length === 0 && !dto.error && <p className="muted">No fields (an empty message).</p>}
            {rows.map((r, i) => (
              <div key={r.path} role="treeitem" data-path={r.path} aria-level={r.level}
                aria-expanded={r.expandable ? r.expanded : undefined} aria-selected={selected === r.path}
                data-unknown={r.field.unknown || undefined} tabIndex={i === focusIndex ? 0 : -1}
                className={`pi-item${hover === r.path ? " pi-hover" : ""}`} style={{ paddingLeft: `calc(${r.level - 1} * var(--space-6) + var(--space-5))` }}
                onMouseEnter={() => setHover(r.path)} onMouseLeave={() => setHover((h) => (h === r.path ? null : h))}
                onFocus={() => setHover(r.path)} onBlur={() => setHover((h) => (h === r.path ? null : h))}
                onClick={(e) => { if ((e.target as HTMLElement).dataset.toggle) toggle(r.path); else select(r.path); }}
                onKeyDown={(e) => onTreeKey(e, i)}>
                {r.expandable && <span className="pi-toggle" data-toggle="1" aria-hidden="true" />}
                <span className="pi-label">{fieldLabel(r.field)}</span>
                {r.field.unknown && <span className="pi-chip pi-unknown">unknown</span>}
                {r.field.type_name && <span className="pi-type">{r.field.type_name}</span>}
                <span className="pi-range">[{r.field.start}..{r.field.end})</span>
                {r.field.readings.length > 1 && <span className="pi-readings">{otherReadings(r.field)}</span>}
              </div>
            ))}
          </div>
          <div role="grid" aria-label="Bytes" className="pi-hex" aria-readonly="true">
            {bytes.map((row) => (
              <div role="row" key={row.offset} className="pi-hex-row">
                <span role="rowheader" className="pi-off">{row.offset.toString(16).padStart(4, "0")}</span>
                {row.bytes.map((b, j) => {
                  const o = row.offset + j;
                  const part = bytePart(active, o);
                  return (
                    <span key={o} role="gridcell" data-offset={o} aria-selected={part !== null}
                      data-highlight={part ?? undefined} className="pi-byte"
                      onClick={() => select(pathOfByte(fields, o))}>
                      {b.toString(16).padStart(2, "0")}
                    </span>
                  );
                })}
                <span className="pi-ascii" aria-hidden="true">
                  {row.bytes.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("")}
                </span>
              </div>
            ))}
          </div>
        </div>
        <p className="pi-legend muted">
          <span className="pi-byte" data-highlight="head">tag/length</span>{" "}
          <span className="pi-byte" data-highlight="value">value</span>{" "}
          Hover or focus a field to see its bytes; click a byte to find its field.
        </p>
      </div>
    </div>
  );
}

// A collapsible JSON tree (detail pane): lines from lib/jsonTree, containers toggle on click.
import { useMemo, useState } from "react";
import { flattenJson, toggle } from "../../lib/jsonTree";

export function JsonTree({ value, label }: { value: unknown; label: string }) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const lines = useMemo(() => flattenJson(value, collapsed), [value, collapsed]);
  return (
    <div className="json-tree" role="tree" aria-label={label}>
      {lines.map((l) => (
        <div
          key={l.path}
          role="treeitem"
          aria-level={l.depth + 1}
          aria-expanded={l.expandable ? l.expanded : undefined}
          className={`jt-line jt-${l.type}`}
          style={{ paddingLeft: l.depth * 14 }}
          data-path={l.path}
        >
          {l.expandable ? (
            <button type="button" className="jt-toggle" aria-label={`${l.expanded ? "Collapse" : "Expand"} ${l.path || "root"}`} onClick={() => setCollapsed((c) => toggle(c, l.path))}>
              {l.expanded ? "▾" : "▸"}
            </button>
          ) : (
            <span className="jt-toggle" aria-hidden />
          )}
          {l.key !== null && <span className="jt-key">{l.key}: </span>}
          <span className="jt-value">{l.text}</span>
        </div>
      ))}
    </div>
  );
}

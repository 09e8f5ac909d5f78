// Resizable split panes (react-resizable-panels): each boundary is a WAI-ARIA window splitter
// (`role="separator"`, focusable, `aria-valuenow`, moved with the arrow keys, Home/End, Enter
// collapses a collapsible pane), and each group's sizes are kept per window across restarts.
import type { ReactNode } from "react";
import { PanelGroup, PanelResizeHandle } from "react-resizable-panels";
import { windowLabel } from "../../ipc";
import { layoutStorage } from "../../lib/layout";

export { Panel } from "react-resizable-panels";
export type { ImperativePanelHandle } from "react-resizable-panels";

const storage = layoutStorage(windowLabel());

interface GroupProps {
  /** The key its sizes are saved under. */
  id: string;
  direction: "horizontal" | "vertical";
  className?: string;
  children: ReactNode;
}

export function SplitGroup({ id, direction, className, children }: GroupProps) {
  return (
    <PanelGroup id={id} autoSaveId={id} storage={storage} direction={direction} className={className} keyboardResizeBy={2}>
      {children}
    </PanelGroup>
  );
}

/** The boundary between two panes; `label` names it for screen readers and the e2e. */
export function SplitHandle({ label, direction }: { label: string; direction: "horizontal" | "vertical" }) {
  return (
    <PanelResizeHandle
      className={`split-handle split-${direction}`}
      aria-label={label}
      title={`${label} (drag, or focus and use the arrow keys)`}
      // The bar between side-by-side panes is a vertical line, and the other way round.
      aria-orientation={direction === "horizontal" ? "vertical" : "horizontal"}
    />
  );
}

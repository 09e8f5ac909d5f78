// The upgrade report on demand: request line and headers sent, status and headers received,
// negotiated protocol and extensions, and how long the handshake took.
import type { UpgradeDto } from "../../ipc";
import { upgradeReportText } from "../../lib/copy";
import { useCopy } from "../toasts/useCopy";

export function UpgradeReport({ report }: { report: UpgradeDto | null }) {
  const copy = useCopy();
  return (
    <details className="upgrade-report" aria-label="Upgrade report">
      <summary>Upgrade report{report ? ` — ${report.status} in ${report.elapsed_ms.toFixed(1)} ms` : ""}</summary>
      {report ? (
        <div className="upgrade-body">
          <div className="upgrade-col">
            <h3>Sent</h3>
            <pre aria-label="Request sent">{[report.request_line, ...report.request_headers.map(([k, v]) => `${k}: ${v}`)].join("\n")}</pre>
          </div>
          <div className="upgrade-col">
            <h3>Received</h3>
            <pre aria-label="Response received">{[`HTTP/1.1 ${report.status}`, ...report.response_headers.map(([k, v]) => `${k}: ${v}`)].join("\n")}</pre>
          </div>
          <dl>
            <dt>Status</dt><dd aria-label="Upgrade status">{report.status}</dd>
            <dt>Protocol</dt><dd>{report.protocol ?? "none"}</dd>
            <dt>Extensions</dt><dd>{report.extensions ?? "none"}</dd>
            <dt>Time</dt><dd>{report.elapsed_ms.toFixed(1)} ms</dd>
            <dt>URL</dt><dd>{report.url}</dd>
          </dl>
          <button type="button" className="upgrade-copy" title="The request and response as sent and received (credentials are hidden as in the report)"
            onClick={() => void copy(upgradeReportText(report), "upgrade report")}>Copy report</button>
        </div>
      ) : (
        <p className="muted">Connect to see the handshake.</p>
      )}
    </details>
  );
}

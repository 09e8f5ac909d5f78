// What "Copy …" puts on the clipboard: a log message, the upgrade report, and the "Copy as"
// flavours (the command lines themselves come from the engine, `backend.commandLine`).
import type { CliFlavour, RowDetail, UpgradeDto } from "../ipc";

export interface CopyAs {
  flavour: CliFlavour;
  /** The menu item's and the palette command's name. */
  label: string;
}

export const COPY_AS: CopyAs[] = [
  { flavour: "sockpit", label: "Copy as sockpit connect" },
  { flavour: "websocat", label: "Copy as websocat" },
  { flavour: "wscat", label: "Copy as wscat" },
  { flavour: "curl", label: "Copy as curl" },
];

/** The item's label for a request of `protocol`: a STOMP/MQTT request copies as `sockpit stomp|mqtt`. */
export function copyAsLabel(c: CopyAs, protocol: string): string {
  return c.flavour === "sockpit" && (protocol === "stomp" || protocol === "mqtt") ? `Copy as sockpit ${protocol}` : c.label;
}

/** The tooltip of every "Copy as" item: what the line holds instead of secrets. */
export const COPY_AS_TITLE =
  "Variables stay references (${name}: set them in your shell) and secret values are never copied, as in exports";

/** A log row's payload as text: the text itself, else the bytes as hex. */
export function messageText(d: Pick<RowDetail, "text" | "hex">): string {
  return d.text ?? d.hex ?? "";
}

/** The upgrade report as the HTTP exchange: request line and headers, a blank line, the answer. */
export function upgradeReportText(r: UpgradeDto): string {
  const sent = [r.request_line, ...r.request_headers.map(([k, v]) => `${k}: ${v}`)];
  const got = [`HTTP/1.1 ${r.status}`, ...r.response_headers.map(([k, v]) => `${k}: ${v}`)];
  return [...sent, "", ...got, ""].join("\n");
}

// The OS clipboard, written by tauri-plugin-clipboard-manager from the Rust side (the window may
// write the clipboard, never read it). navigator.clipboard is not used: WebKitGTK lets it write
// only while the user's click or key press is still active, and "Copy as …" waits for the engine's
// command line (an IPC round trip) first.
import { invoke } from "@tauri-apps/api/core";

/** Puts `text` on the OS clipboard. */
export async function copyText(text: string): Promise<void> {
  try {
    await invoke("plugin:clipboard-manager|write_text", { text });
  } catch (e) {
    throw new Error(`Could not copy: ${typeof e === "string" ? e : e instanceof Error ? e.message : JSON.stringify(e)}`);
  }
}

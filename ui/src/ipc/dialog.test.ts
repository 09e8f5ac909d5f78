// The e2e stub of the file dialogs is honoured only when the app allows it.
import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
const open = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a) }));
vi.mock("@tauri-apps/api/webview", () => ({ getCurrentWebview: () => ({ onDragDropEvent: () => Promise.resolve(() => undefined) }) }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: (...a: unknown[]) => open(...a), save: vi.fn() }));

beforeEach(() => {
  vi.resetModules();
  invoke.mockReset();
  open.mockReset();
  delete window.__sockpitDialogStub;
});

describe("pickFile", () => {
  it("shows the OS dialog when no stub is set, without asking the app", async () => {
    open.mockResolvedValue("/os/chosen.proto");
    const { pickFile } = await import("./dialog");
    expect(await pickFile({ title: "t" })).toBe("/os/chosen.proto");
    expect(invoke).not.toHaveBeenCalled();
  });

  it("answers from the stub queue when the app allows it, then cancels", async () => {
    invoke.mockResolvedValue(true);
    window.__sockpitDialogStub = ["/stub/a.json"];
    const { pickFile } = await import("./dialog");
    expect(await pickFile({ title: "t" })).toBe("/stub/a.json");
    expect(await pickFile({ title: "t" })).toBeNull();
    expect(open).not.toHaveBeenCalled();
  });

  it("ignores the stub when the app was not started for e2e", async () => {
    invoke.mockResolvedValue(false);
    open.mockResolvedValue(null);
    window.__sockpitDialogStub = ["/stub/a.json"];
    const { pickFile } = await import("./dialog");
    expect(await pickFile({ title: "t" })).toBeNull();
    expect(open).toHaveBeenCalledOnce();
    expect(window.__sockpitDialogStub).toEqual(["/stub/a.json"]);
  });
});

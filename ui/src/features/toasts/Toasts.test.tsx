// The toast stack: a polite status region; a toast goes after its time, an action runs and closes it.
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { ToastProvider, useToast } from "./Toasts";
import { TOAST_MS } from "../../lib/toasts";

afterEach(() => { cleanup(); vi.useRealTimers(); });

function Pusher({ onOpen }: { onOpen(): void }) {
  const toast = useToast();
  return (
    <>
      <button type="button" onClick={() => toast("Copied it")}>plain</button>
      <button type="button" onClick={() => toast("Exported to /tmp/x", { label: "Open folder", run: onOpen })}>export</button>
    </>
  );
}

describe("Toasts", () => {
  it("announces a toast politely and removes it after its time", () => {
    vi.useFakeTimers();
    render(<ToastProvider><Pusher onOpen={() => undefined} /></ToastProvider>);
    const region = screen.getByRole("status", { name: "Notifications" });
    expect(region.getAttribute("aria-live")).toBe("polite");
    fireEvent.click(screen.getByText("plain"));
    expect(region.textContent).toContain("Copied it");
    act(() => { vi.advanceTimersByTime(TOAST_MS + 10); });
    expect(region.textContent).not.toContain("Copied it");
  });

  it("runs a toast's action and closes it", () => {
    const onOpen = vi.fn();
    render(<ToastProvider><Pusher onOpen={onOpen} /></ToastProvider>);
    fireEvent.click(screen.getByText("export"));
    fireEvent.click(screen.getByRole("button", { name: "Open folder" }));
    expect(onOpen).toHaveBeenCalledOnce();
    expect(screen.getByRole("status", { name: "Notifications" }).textContent).not.toContain("Exported");
  });
});

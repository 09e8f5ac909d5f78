// Copying with a toast ("Copied <what>", or why it could not), and an export's toast with "Open folder".
import { useCallback } from "react";
import { backend, copyText } from "../../ipc";
import { useToast } from "./Toasts";

/** `copy(text, what)` puts `text` on the clipboard and says so in a toast. */
export function useCopy() {
  const toast = useToast();
  return useCallback(async (text: string, what: string) => {
    try {
      await copyText(text);
      toast(`Copied ${what}`);
    } catch (e) {
      toast(e instanceof Error ? e.message : String(e));
    }
  }, [toast]);
}

/** `exported(text, path)`: a toast for a written file, with "Open folder" revealing it. */
export function useExportToast() {
  const toast = useToast();
  return useCallback((text: string, path: string) => {
    toast(text, {
      label: "Open folder",
      run: () => void backend.revealExport(path).catch((e: { message?: string }) => toast(e.message ?? String(e))),
    });
  }, [toast]);
}

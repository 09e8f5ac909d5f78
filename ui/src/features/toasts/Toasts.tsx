// The toast stack (role="status", aria-live polite, named `Notifications`): transient confirmations
// pushed from anywhere through `useToast()`, each gone after its time unless the pointer or focus is
// on it. Warnings and errors that must stay are the Notices bar's (features/notices).
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { dismissToast, makeToast, pushToast, type Toast, type ToastAction } from "../../lib/toasts";
import "./toasts.css";

type Push = (text: string, action?: ToastAction) => void;

const ToastContext = createContext<Push>(() => undefined);

/** Shows a toast: `toast("Copied")`, or with one action button. */
export const useToast = () => useContext(ToastContext);

function ToastItem({ t, onDismiss }: { t: Toast; onDismiss(id: number): void }) {
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(() => onDismiss(t.id), t.ttlMs);
    return () => clearTimeout(timer);
  }, [held, t.id, t.ttlMs, onDismiss]);
  return (
    <div className="toast" onMouseEnter={() => setHeld(true)} onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)} onBlur={() => setHeld(false)}>
      <span className="toast-text">{t.text}</span>
      {t.action && (
        <button type="button" className="toast-action" onClick={() => { t.action?.run(); onDismiss(t.id); }}>{t.action.label}</button>
      )}
      <button type="button" className="toast-close" aria-label="Dismiss" title="Dismiss" onClick={() => onDismiss(t.id)}>×</button>
    </div>
  );
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useRef<Push>((text, action) => setToasts((l) => pushToast(l, makeToast(text, action))));
  const dismiss = useCallback((id: number) => setToasts((l) => dismissToast(l, id)), []);
  return (
    <ToastContext.Provider value={push.current}>
      {children}
      {/* Always in the page, so screen readers hear what is added to it. */}
      <div role="status" aria-live="polite" aria-label="Notifications" className="toasts">
        {toasts.map((t) => <ToastItem key={t.id} t={t} onDismiss={dismiss} />)}
      </div>
    </ToastContext.Provider>
  );
}

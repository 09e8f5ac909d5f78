// Warnings the engine wants a person to see (secrets kept in the database because there is no OS
// credential store, an OS entry left behind after a delete): taken from the app's notices after
// every change the window makes, and every few seconds, and shown until dismissed.
import { useEffect, useState } from "react";
import { backend, type NoticeDto } from "../../ipc";

/** How often notices are picked up without a change in the window. */
const POLL_MS = 3000;

export function NoticeBar({ refresh }: { refresh: number }) {
  const [notices, setNotices] = useState<NoticeDto[]>([]);
  useEffect(() => {
    let live = true;
    const take = () =>
      backend
        .appNotices()
        .then((n) => {
          if (live && n.length) setNotices((old) => [...old, ...n].slice(-5));
        })
        .catch(() => undefined);
    take();
    const timer = window.setInterval(take, POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [refresh]);
  if (!notices.length) return null;
  return (
    <div className="notice-bar" role="region" aria-label="Notices" aria-live="polite">
      {notices.map((n, i) => (
        <div key={i} className="notice-item" data-code={n.code}>
          <span>{n.message}</span>
          <button type="button" aria-label="Dismiss notice" onClick={() => setNotices((all) => all.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

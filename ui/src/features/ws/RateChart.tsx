// A small chart of the message rate (rows/s over the last 30 s), from batch totals.
import { useEffect, useState } from "react";
import { sparkline, type RateMeter } from "../../lib/rate";

const W = 120;
const H = 24;

export function RateChart({ meter, version }: { meter: RateMeter; version: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  void version; // re-rendered on batches too
  const series = meter.series(Math.max(now, Date.now()));
  const current = series[series.length - 1] ?? 0;
  return (
    <span className="rate" title="Messages per second, last 30 s">
      <svg width={W} height={H} role="img" aria-label={`Message rate ${current}/s`}>
        <polyline points={sparkline(series, W, H - 2)} fill="none" stroke="currentColor" strokeWidth="1.5" />
      </svg>
      <span className="rate-now">{current}/s</span>
    </span>
  );
}

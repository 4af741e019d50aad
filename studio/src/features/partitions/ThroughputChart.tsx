/** Completed invocations per bucket, as bars: a small SVG, no chart library needed for one series. */
export function ThroughputChart({ points }: { points: { at: number; completed: number }[] }) {
  const w = 600, h = 120, max = Math.max(1, ...points.map((p) => p.completed));
  const bw = w / Math.max(1, points.length);
  return (
    <svg className="chart" viewBox={`0 0 ${w} ${h + 16}`} role="img" aria-label="completed invocations per interval">
      {points.map((p, i) => {
        const bh = (p.completed / max) * h;
        return <rect key={p.at} x={i * bw + 1} y={h - bh} width={bw - 2} height={bh}><title>{`${new Date(p.at).toLocaleTimeString()}: ${p.completed}`}</title></rect>;
      })}
      <text x={0} y={h + 14}>{points[0] ? new Date(points[0].at).toLocaleTimeString() : ''}</text>
      <text x={w} y={h + 14} textAnchor="end">max {max}</text>
    </svg>
  );
}

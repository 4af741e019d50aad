export const time = (ms: number | undefined): string => (ms === undefined ? '' : new Date(ms).toLocaleTimeString([], { hour12: false }));
export const dateTime = (ms: number | undefined): string => (ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));
export const json = (v: unknown): string => JSON.stringify(v, null, 2) ?? 'undefined';
export function ago(ms: number): string {
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

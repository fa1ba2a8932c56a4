import { useEffect, useState } from 'react';
import { get } from '../api';

export interface ComplianceExport {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'expired';
  percent: number;
  counts: Record<string, number>;
  filters: { from: string; to: string; custodians?: string[]; groups?: string[]; holdId?: string; query?: string };
  formats: string[];
  requestedBy: string;
  attempts: number;
  error: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  manifestSha256: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  expiresAt: string | null;
  downloadUrl: string | null;
}

export const isInFlight = (e: ComplianceExport) => e.status === 'queued' || e.status === 'running';

/**
 * A queued or running export: a live progress bar, polling the export every second until it
 * completes or fails, handing each answer to `onUpdate`.
 */
export function ExportProgress({ exp, onUpdate }: { exp: ComplianceExport; onUpdate: (e: ComplianceExport) => void }) {
  const inFlight = isInFlight(exp);
  // Once watched, the bar stays (at 100 when done) so the finish is seen, not a bar vanishing.
  const [watched, setWatched] = useState(inFlight);
  if (inFlight && !watched) setWatched(true);
  useEffect(() => {
    if (!inFlight) return;
    let stopped = false;
    const timer = window.setInterval(() => {
      get<ComplianceExport>(`/api/v1/compliance/exports/${exp.id}`).then(
        (next) => !stopped && onUpdate(next),
        () => undefined,
      );
    }, 1000);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [exp.id, inFlight, onUpdate]);

  if (!inFlight && !(watched && exp.status === 'completed')) return null;
  const percent = exp.status === 'completed' ? 100 : exp.percent;
  const processed = exp.counts.processed;
  const total = exp.counts.total;
  return (
    <div className="progress-cell">
      <progress max={100} value={percent} aria-label="Export progress" aria-valuetext={`${percent}%`} />
      <div className="muted" aria-hidden="true">
        {exp.status === 'queued' ? 'Queued' : `${percent}%`}
        {processed !== undefined && total !== undefined ? ` · ${processed} of ${total} posts` : ''}
      </div>
    </div>
  );
}

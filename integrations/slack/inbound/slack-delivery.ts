import type { SlackInstallationRecord } from '../slack.types.js';

/** How processing one inbox row ended; listeners set it, the processor stores it. */
export interface SlackDeliveryOutcome {
  status: 'done' | 'ignored' | 'failed';
  error: string | null;
}

/** The stored delivery being processed, handed to Bolt listeners through `context.delivery`. */
export interface SlackDelivery {
  orgId: string;
  inboxId: string;
  teamId: string;
  installation: SlackInstallationRecord;
  outcome: SlackDeliveryOutcome;
}

export const ignore = (d: SlackDelivery, why: string): void => {
  d.outcome = { status: 'ignored', error: why };
};

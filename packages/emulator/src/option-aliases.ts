import type { EmulatorOptions } from './types.js';

/** Pause between stream events: `eventDelayMs`, else its alias `tokenDelayMs`; `undefined` when neither is set. */
export function configuredEventDelayMs(options: EmulatorOptions): number | undefined {
  return options.eventDelayMs ?? options.tokenDelayMs;
}

/** Whether logins are denied: `denyAuthorization`, else its alias `denyAuthorize`. */
export function isAuthorizationDenied(options: EmulatorOptions): boolean {
  return (options.denyAuthorization ?? options.denyAuthorize) === true;
}

/** Device-code polls answered `authorization_pending` before approval (default 1). */
export function devicePollsBeforeApproval(options: EmulatorOptions): number {
  return options.deviceCodePollsBeforeApproval ?? options.deviceCodePendingPolls ?? 1;
}

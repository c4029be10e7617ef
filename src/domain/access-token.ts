/** The lifetime rules of tenant and app access tokens (Feishu: 2 h, reissued when under 30 min remain). */

export const TOKEN_TTL_MS = 7200 * 1000;
export const REISSUE_BELOW_MS = 30 * 60 * 1000;

export type TokenKind = 'tenant' | 'app';

export interface AccessToken {
  token: string;
  kind: TokenKind;
  appId: string;
  tenantKey: string;
  issuedAt: number;
  expiresAt: number;
}

/** The still-current token is handed out again while 30 minutes or more remain; otherwise a new one is due. */
export function reusable(latest: AccessToken | undefined, now: number): latest is AccessToken {
  return latest !== undefined && latest.expiresAt - now >= REISSUE_BELOW_MS;
}

export function isValid(token: AccessToken, now: number): boolean {
  return now < token.expiresAt;
}

/** Remaining whole seconds, as the `expire` field reports them. */
export function remainingSeconds(token: AccessToken, now: number): number {
  return Math.max(0, Math.floor((token.expiresAt - now) / 1000));
}

import {
  isValid,
  remainingSeconds,
  reusable,
  TOKEN_TTL_MS,
  type AccessToken,
  type TokenKind,
} from '../domain/access-token.js';
import type { Clock } from '../domain/clock.js';
import { FeishuError } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import { UNKNOWN_APP_SECRET_HASH, verifySecret } from './app-secret.js';
import type { Store } from './ports.js';

/** Who is calling an Open API route: decided by the bearer token alone. */
export interface Caller {
  tenantKey: string;
  appId: string;
}

export interface IssuedToken {
  token: string;
  /** Remaining seconds. */
  expire: number;
}

export class AuthService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  /** `POST /open-apis/auth/v3/tenant_access_token/internal`. */
  async issueTenantToken(appId: string, appSecret: string): Promise<IssuedToken> {
    const app = await this.checkCredentials(appId, appSecret);
    return this.currentOrNew(app.appId, app.tenantKey, 'tenant');
  }

  /** `POST /open-apis/auth/v3/app_access_token/internal`: a self-built app gets both tokens at once. */
  async issueAppToken(appId: string, appSecret: string): Promise<{ app: IssuedToken; tenant: IssuedToken }> {
    const app = await this.checkCredentials(appId, appSecret);
    return {
      app: await this.currentOrNew(app.appId, app.tenantKey, 'app'),
      tenant: await this.currentOrNew(app.appId, app.tenantKey, 'tenant'),
    };
  }

  /** Checks an `Authorization` header value for the Open API routes. */
  async authenticate(authorization: string | undefined): Promise<Caller> {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : '';
    if (!token) {
      throw new FeishuError(99991661, 'the Authorization header must be "Bearer <tenant_access_token>"');
    }
    const found = await this.store.tokens.find(token);
    if (!found || found.kind !== 'tenant') {
      throw new FeishuError(99991663, 'the tenant_access_token is unknown');
    }
    if (!isValid(found, this.clock.now())) {
      throw new FeishuError(99991663, 'the tenant_access_token has expired');
    }
    return { tenantKey: found.tenantKey, appId: found.appId };
  }

  private async checkCredentials(appId: string, appSecret: string) {
    const app = await this.store.directory.findApp(appId);
    // An unknown app costs the same scrypt as a wrong secret: the answer's time does not tell app_ids apart.
    const verified = await verifySecret(appSecret, app?.secretHash ?? UNKNOWN_APP_SECRET_HASH);
    if (!app || !verified) throw new FeishuError(10003, 'app_id or app_secret is wrong');
    return app;
  }

  private async currentOrNew(appId: string, tenantKey: string, kind: TokenKind): Promise<IssuedToken> {
    const now = this.clock.now();
    const latest = await this.store.tokens.latest(appId, kind);
    // A token issued at a later time than now (the emulator clock was set back) would announce more than 7200 s.
    if (reusable(latest, now) && latest.issuedAt <= now) {
      return { token: latest.token, expire: remainingSeconds(latest, now) };
    }
    const issued: AccessToken = {
      token: kind === 'tenant' ? this.ids.tenantAccessToken() : this.ids.appAccessToken(),
      kind,
      appId,
      tenantKey,
      issuedAt: now,
      expiresAt: now + TOKEN_TTL_MS,
    };
    await this.store.tokens.insert(issued);
    // Expired tokens are useless; dropping them here keeps the table bounded without a timer.
    await this.store.tokens.purgeExpired(now);
    return { token: issued.token, expire: remainingSeconds(issued, now) };
  }
}

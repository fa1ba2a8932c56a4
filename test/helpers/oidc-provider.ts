import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata } from 'oidc-provider';

/** Profile claims of an in-memory account at the test provider. */
export interface TestAccountClaims {
  email: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
  title?: string;
  department?: string;
  groups?: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** A second registered client, to obtain codes the first client may not redeem. */
  otherClientId: string;
  accounts: Map<string, TestAccountClaims>;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (node-oidc-provider) on 127.0.0.1 with two confidential clients and
 * in-memory accounts; its development login/consent pages are driven over HTTP by `signInAt`.
 * Any redirect URI below `<publicUrl>/auth/oidc/` is allowed, since each test makes its own org.
 */
export async function startOidcProvider(publicUrl: string): Promise<TestOidcProvider> {
  const accounts = new Map<string, TestAccountClaims>();
  let handler: ((req: unknown, res: unknown) => void) | null = null;
  const server: Server = createServer((req, res) => handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientSecret = 'provider-side-client-secret-0123456789';
  const client = (id: string): ClientMetadata => ({
    client_id: id,
    client_secret: clientSecret,
    redirect_uris: [`${publicUrl}/auth/oidc/any/callback`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  });
  const provider = new Provider(issuer, {
    clients: [client('chorus-test'), client('another-app')],
    cookies: { keys: ['test-provider-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username', 'title', 'department', 'groups'] },
    pkce: { required: () => true, methods: ['S256'] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    renderError(ctx, out) {
      ctx.type = 'json';
      ctx.body = out;
    },
    async findAccount(_ctx, id) {
      const claims = accounts.get(id);
      return claims && { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
  });
  provider.Client.prototype.redirectUriAllowed = (uri: string) => uri.startsWith(`${publicUrl}/auth/oidc/`) && uri.endsWith('/callback');
  handler = provider.callback() as (req: unknown, res: unknown) => void;
  return {
    issuer,
    clientId: 'chorus-test',
    clientSecret,
    otherClientId: 'another-app',
    accounts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Follows the authorization request through the provider as a browser would (cookies, login
 * form, consent form) and returns where it finally sends the browser: our callback URL.
 */
export async function signInAt(authorizationUrl: string, accountId: string, stopAt: string): Promise<URL> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  let url = new URL(authorizationUrl);
  for (let hop = 0; hop < 15; hop++) {
    let res = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader() } });
    remember(res);
    if (res.status === 200 && url.pathname.startsWith('/interaction/')) {
      const prompt = /name="prompt" value="(\w+)"/.exec(await res.text())?.[1];
      if (!prompt) throw new Error('The provider showed a page without a prompt form');
      res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt, login: accountId, password: 'any' }).toString(),
      });
      remember(res);
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`The provider answered ${res.status} at ${url.pathname}: ${(await res.text()).slice(0, 500)}`);
    }
    url = new URL(location, url);
    if (url.href.startsWith(stopAt)) return url;
  }
  throw new Error('Too many redirects at the provider');
}

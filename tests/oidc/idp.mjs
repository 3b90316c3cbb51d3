// A local OpenID Connect provider for the single sign-on tests (oidc-provider, dev interactions).
//
//   node tests/oidc/idp.mjs --client-id ID --client-secret SECRET --redirect-uri URI
//                           [--redirect-uri URI ...] [--port 0] [--accounts JSON]
//
// Listens on 127.0.0.1 (port 0: any free one) and prints "listening <issuer>" once it serves.
// Its sign-in form takes any login and any password: the login is the account's subject. Accounts
// given in --accounts ({"login": {"email": ..., "email_verified": ..., "name": ...}}) have those
// claims; any other login is an account whose email address is the login, verified.
// Consent is taken as given, as for a first-party client, so the sign-in form is the only page.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    accounts: { type: 'string', default: '{}' },
  },
});
if (!values['client-id'] || !values['client-secret'] || !values['redirect-uri']) {
  console.error('usage: idp.mjs --client-id ID --client-secret SECRET --redirect-uri URI [--port N]');
  process.exit(2);
}
const accounts = JSON.parse(values.accounts);

function claimsOf(login) {
  const given = accounts[login] || {};
  return {
    sub: login,
    email: given.email ?? login,
    email_verified: given.email_verified ?? true,
    name: given.name || login.split('@')[0],
  };
}

const server = createServer();
server.listen(Number(values.port), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: values['client-id'],
      client_secret: values['client-secret'],
      redirect_uris: values['redirect-uri'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    cookies: { keys: ['local-test-provider-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The claims go in the ID token, as Microsoft Entra ID and Google put them.
    conformIdTokenClaims: false,
    async findAccount(ctx, id) {
      return { accountId: id, async claims() { return claimsOf(id); } };
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        accountId: ctx.oidc.session.accountId,
        clientId: ctx.oidc.client.clientId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());
  console.log(`listening ${issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

// The peer OP for benches/oidc.sh: the npm package `oidc-provider` (panva; Logto runs on it)
// with an in-memory store and a single confidential client, configured like Sesame's m2m
// benchmark app, so both sides answer the same requests:
//   GET  /.well-known/openid-configuration, GET /jwks,
//   POST /token grant_type=client_credentials with HTTP Basic `bench:bench-secret`
//        -> a JWT access token signed with SIGN_ALG, audience urn:bench:api.
//
// Environment: HOST (127.0.0.1), PORT (4000), SIGN_ALG (ES256 | EdDSA | RS256; ES256),
//              AT_FORMAT (jwt | opaque; jwt).
// Run: npm install && SIGN_ALG=ES256 AT_FORMAT=jwt PORT=4000 node provider.mjs
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const host = process.env.HOST || '127.0.0.1';
const port = Number.parseInt(process.env.PORT || '4000', 10);
const alg = process.env.SIGN_ALG || 'ES256';
const jwtAccessTokens = (process.env.AT_FORMAT || 'jwt') === 'jwt';
const issuer = `http://${host}:${port}`;
const api = 'urn:bench:api';

// One fresh signing key per start; node's own crypto makes it, no extra package needed.
function signingKey(alg) {
  const kind = { ES256: ['ec', { namedCurve: 'P-256' }], EdDSA: ['ed25519', {}], RS256: ['rsa', { modulusLength: 2048 }] }[alg];
  if (!kind) throw new Error(`SIGN_ALG must be ES256, EdDSA or RS256, not ${alg}`);
  const { privateKey } = generateKeyPairSync(kind[0], kind[1]);
  return { ...privateKey.export({ format: 'jwk' }), kid: `peer-${alg.toLowerCase()}`, alg, use: 'sig' };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'bench',
      client_secret: 'bench-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1:9999/callback'],
      id_token_signed_response_alg: alg,
      scope: 'openid email profile offline_access api:read',
    },
  ],
  jwks: { keys: [signingKey(alg)] },
  enabledJWA: { idTokenSigningAlgValues: [alg] },
  cookies: { keys: ['sesame-bench-peer-cookie-key-not-a-secret'] },
  scopes: ['openid', 'email', 'profile', 'offline_access', 'api:read'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { required: () => true },
  ttl: { AccessToken: 3600, ClientCredentials: 3600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 14 * 24 * 3600 },
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    // Resource indicators are how oidc-provider issues JWT access tokens (as Logto does):
    // a token request without `resource` gets the bench API as its audience.
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx, _client, oneOf) => oneOf ?? (jwtAccessTokens ? api : undefined),
      useGrantedResource: () => jwtAccessTokens,
      getResourceServerInfo: (_ctx, resource) => ({
        audience: resource,
        scope: 'api:read',
        accessTokenTTL: 3600,
        accessTokenFormat: jwtAccessTokens ? 'jwt' : 'opaque',
        jwt: { sign: { alg } },
      }),
    },
  },
  // No user store: any account id is a user with made-up claims (the load is m2m only).
  async findAccount(_ctx, sub) {
    return { accountId: sub, claims: async () => ({ sub, email: `${sub}@bench.example`, email_verified: true, name: sub }) };
  },
});
provider.on('server_error', (_ctx, err) => console.error('server_error', err));
provider.listen(port, host, () => {
  console.log(`peer OP on ${issuer}: ${alg}, ${jwtAccessTokens ? 'JWT' : 'opaque'} access tokens, pid ${process.pid}`);
});

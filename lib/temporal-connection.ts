import { readFileSync } from 'node:fs';
import type { AppConfig } from './config';

/**
 * Connection options for Temporal from the usual variables: `TEMPORAL_TLS=true` (server TLS with
 * the system roots), `TEMPORAL_TLS_CA` (a private CA), `TEMPORAL_TLS_CERT` + `TEMPORAL_TLS_KEY`
 * (mTLS client pair), `TEMPORAL_TLS_SERVER_NAME`, and `TEMPORAL_API_KEY` (Temporal Cloud API keys,
 * which imply TLS). Each of CA/cert/key is a file path or the PEM text itself.
 * The same shape suits `Connection` (client) and `NativeConnection` (worker).
 */
export interface TemporalConnectionOptions {
  address: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

function pem(value: string): Buffer {
  return value.includes('-----BEGIN') ? Buffer.from(value) : readFileSync(value);
}

export function temporalConnectionOptions(config: AppConfig): TemporalConnectionOptions {
  const s = config.security;
  const wantsTls =
    s.temporalTls || !!s.temporalTlsCa || !!s.temporalTlsCert || !!s.temporalApiKey || !!s.temporalTlsServerName;
  const options: TemporalConnectionOptions = { address: config.temporalAddress };
  if (wantsTls) {
    options.tls = {
      ...(s.temporalTlsServerName ? { serverNameOverride: s.temporalTlsServerName } : {}),
      ...(s.temporalTlsCa ? { serverRootCACertificate: pem(s.temporalTlsCa) } : {}),
      ...(s.temporalTlsCert && s.temporalTlsKey
        ? { clientCertPair: { crt: pem(s.temporalTlsCert), key: pem(s.temporalTlsKey) } }
        : {}),
    };
  }
  if (s.temporalApiKey) options.apiKey = s.temporalApiKey;
  return options;
}

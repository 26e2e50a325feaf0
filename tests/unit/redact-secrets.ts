/**
 * One planted secret of each kind the redaction covers, shared by the unit tests and the
 * planted-secret sweep. Built by concatenation so the fixtures do not look like live secrets to
 * scanners. `needle` is the part that must never survive anywhere.
 */
export interface PlantedSecret {
  kind: string;
  text: string;
  needle: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export const PLANTED_SECRETS: PlantedSecret[] = [
  { kind: 'api-key', text: 'sk-' + 'proj-' + 'Q1w2E3r4T5y6U7i8O9p0AsDf', needle: 'Q1w2E3r4T5y6U7i8O9p0AsDf' },
  {
    kind: 'anthropic-key',
    text: 'sk-ant-' + 'api03-' + 'Zx9Cv8Bn7Mm6Ll5Kk4Jj3Hh2Gg1FfDdSsAa',
    needle: 'Zx9Cv8Bn7Mm6Ll5Kk4Jj3Hh2Gg1FfDdSsAa',
  },
  { kind: 'aws-access-key', text: 'AKIA' + 'Q7RTZ2WXMPL3VNBC', needle: 'Q7RTZ2WXMPL3VNBC' },
  {
    kind: 'aws-secret-key',
    text: 'aws_secret_access_key=' + 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYq9SECRETK1',
    needle: 'bPxRfiCYq9SECRETK1',
  },
  {
    kind: 'github-token',
    text: 'ghp_' + 'R8q7P6o5N4m3L2k1J0i9H8g7F6e5D4c3B2a1',
    needle: 'R8q7P6o5N4m3L2k1J0i9H8g7F6e5D4c3B2a1',
  },
  {
    kind: 'github-token',
    text: 'github_pat_' + '11ABCDEFG0' + 'xYzAbCdEfGhIjKlMnOpQrStUv',
    needle: 'xYzAbCdEfGhIjKlMnOpQrStUv',
  },
  { kind: 'gitlab-token', text: 'glpat-' + 'Hq3Vd9Kx2Lp8Wm4Rt6Yz', needle: 'Hq3Vd9Kx2Lp8Wm4Rt6Yz' },
  { kind: 'slack-token', text: 'xoxb-' + '2147483648-' + 'RtYuIoPaSdFgHjKl', needle: 'RtYuIoPaSdFgHjKl' },
  {
    kind: 'slack-webhook',
    text: 'https://hooks.slack.com/services/' + 'T0ABCDEF1/B0GHIJKL2/' + 'QwErTyUiOpAsDfGhJkLzXcVb',
    needle: 'QwErTyUiOpAsDfGhJkLzXcVb',
  },
  { kind: 'stripe-key', text: 'sk_live_' + '51HqLmN2eZvKYlo2C9x8w7v6', needle: '51HqLmN2eZvKYlo2C9x8w7v6' },
  {
    kind: 'google-api-key',
    text: 'AIza' + 'SyD4-kP9xQ2mR7tV1wZ3yB6nC8eF0gH5jLq',
    needle: 'SyD4-kP9xQ2mR7tV1wZ3yB6nC8eF0gH5jLq',
  },
  {
    kind: 'npm-token',
    text: 'npm_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
    needle: 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
  },
  {
    kind: 'huggingface-token',
    text: 'hf_' + 'QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi',
    needle: 'QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi',
  },
  {
    kind: 'sendgrid-key',
    text: 'SG.' + 'aBcDeFgHiJkLmNoPqRsTuV' + '.' + 'wXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ01234',
    needle: 'wXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ01234',
  },
  {
    kind: 'azure-connection-string',
    text:
      'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=' +
      'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;EndpointSuffix=core',
    needle: 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==',
  },
  {
    kind: 'jwt',
    text: 'eyJhbGciOiJIUzI1NiJ9' + '.eyJzdWIiOiJtYWxsb3J5In0' + '.Tg7Kp2Vx9Qw3Zr5Lm8Nb1Hc4Jd6Fs0Ya',
    needle: 'Tg7Kp2Vx9Qw3Zr5Lm8Nb1Hc4Jd6Fs0Ya',
  },
  {
    kind: 'basic-auth',
    text: 'Authorization: Basic ' + b64('deploy:Pa55w0rd-Basic!'),
    needle: b64('deploy:Pa55w0rd-Basic!'),
  },
  {
    kind: 'bearer-token',
    text: 'Authorization: Bearer ' + 'opaqueTok.9f8e7d6c5b4a3210zz',
    needle: 'opaqueTok.9f8e7d6c5b4a3210zz',
  },
  {
    kind: 'private-key',
    text: '-----BEGIN RSA PRIVATE KEY-----\nMIIEpQIBAAKCAQEAwPemKeyBodyLine1\nq2w3e4r5t6y7u8i9PemKeyBody2\n-----END RSA PRIVATE KEY-----',
    needle: 'PemKeyBodyLine1',
  },
  {
    kind: 'private-key',
    text: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAUnterminatedBody\nAAAAAbm9uZQAAAARub25l',
    needle: 'UnterminatedBody',
  },
  {
    kind: 'private-key',
    text: '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGPgpBodyPgpBody\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----',
    needle: 'GPgpBodyPgpBody',
  },
  {
    kind: 'connection-string-password',
    text: 'postgres://admin:' + 'UrlPassw0rd9' + '@db.internal:5432/app',
    needle: 'UrlPassw0rd9',
  },
  { kind: 'secret-assignment', text: 'token=' + 'plainTokenValue42', needle: 'plainTokenValue42' },
  {
    kind: 'secret-assignment',
    text: 'secret: "' + 'correct horse battery staple' + '"',
    needle: 'correct horse battery',
  },
  {
    kind: 'high-entropy',
    text: 'x-internal ' + 'Q9vZ2kL8mX4pT7rB1nW6yH3cJ5dF0gS',
    needle: 'Q9vZ2kL8mX4pT7rB1nW6yH3cJ5dF0gS',
  },
  { kind: 'email', text: 'mallory.secret' + '@example.org', needle: 'mallory.secret' },
];

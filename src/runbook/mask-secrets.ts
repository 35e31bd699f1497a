// Replaces every secret with ***, longest first (a secret may contain a shorter one).
// includes() first: most text holds no secret, and split/join would copy it for each one.
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => (out.includes(secret) ? out.split(secret).join('***') : out), text);
}

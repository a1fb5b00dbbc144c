// The application side in Node.js: read the team's signing key from its secret (AWSCURRENT)
// and sign a URL with @aws-sdk/cloudfront-signer.
//
//   node sign-from-secret.cjs cfsign/payments/signing-key https://files.payments.example.com/a.pdf
//
// npm install @aws-sdk/client-secrets-manager @aws-sdk/cloudfront-signer
// Re-read the secret every few minutes: keys rotate.
const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");
const { getSignedUrl } = require("@aws-sdk/cloudfront-signer");

async function signedUrl(secretId, url) {
  const client = new SecretsManagerClient({});
  const out = await client.send(
    new GetSecretValueCommand({ SecretId: secretId, VersionStage: "AWSCURRENT" }),
  );
  const { keyPairId, privateKey } = JSON.parse(out.SecretString);
  const fifteenMinutes = new Date(Date.now() + 15 * 60 * 1000);
  return getSignedUrl({ url, keyPairId, privateKey, dateLessThan: fifteenMinutes.toISOString() });
}

const [secretId, url] = process.argv.slice(2);
signedUrl(secretId, url).then(
  (signed) => console.log(signed),
  (err) => {
    console.error(err.message);
    process.exit(1);
  },
);

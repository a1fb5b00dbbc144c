// @aws-sdk/cloudfront-signer: unique canned URLs per second.
// Usage: node js_bench.cjs SECONDS KEY_TYPE   (KEY_TYPE: rsa2048 | ecdsa-p256). Prints one number.
const { generateKeyPairSync } = require("node:crypto");
const { getSignedUrl } = require("@aws-sdk/cloudfront-signer");

const [seconds, keyType] = [Number(process.argv[2]), process.argv[3]];
const { privateKey } =
  keyType === "rsa2048"
    ? generateKeyPairSync("rsa", { modulusLength: 2048 })
    : generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const pem = privateKey.export({ type: "pkcs8", format: "pem" });
const algorithm = keyType === "rsa2048" ? undefined : "SHA256";
let count = 0;
const start = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
while (elapsed() < seconds) {
  for (let i = 0; i < 16; i++) {
    getSignedUrl({
      url: `https://d111111abcdef8.cloudfront.net/teams/acme/photos/${count}.jpg`,
      keyPairId: "K2JCJMDEHXQW5F",
      privateKey: pem,
      dateLessThan: "2100-01-01T00:00:00Z",
      algorithm,
    });
    count++;
  }
}
console.log((count / elapsed()).toFixed(1));

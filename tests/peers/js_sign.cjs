// Signs with @aws-sdk/cloudfront-signer, the reference JavaScript implementation.
//
// Reads one JSON request on stdin: {"op": "url" | "cookies", "url", "key_pair_id",
// "private_key" (a PEM path), "expires", optional "starts", "ip", "hash", "passphrase"}.
// Prints the signed URL, or the cookies as JSON.
const fs = require("node:fs");
const { getSignedUrl, getSignedCookies } = require("@aws-sdk/cloudfront-signer");

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const options = {
  url: request.url,
  keyPairId: request.key_pair_id,
  privateKey: fs.readFileSync(request.private_key, "utf8"),
  passphrase: request.passphrase,
  dateLessThan: new Date(request.expires * 1000).toISOString(),
  dateGreaterThan: request.starts ? new Date(request.starts * 1000).toISOString() : undefined,
  ipAddress: request.ip ?? undefined,
  algorithm: request.hash === "sha256" ? "SHA256" : undefined,
};
if (request.op === "cookies") {
  process.stdout.write(JSON.stringify(getSignedCookies(options)) + "\n");
} else {
  process.stdout.write(getSignedUrl(options) + "\n");
}

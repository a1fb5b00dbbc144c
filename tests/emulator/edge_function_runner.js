// Runs one CloudFront Function for the emulator's edge (edge_functions.py). Reads
// {"code": ..., "event": ...} as JSON on stdin, evaluates the code in a fresh context that has
// none of Node's globals (CloudFront Functions have no require, process, timers, network or file
// system: "Restrictions on CloudFront Functions" in the CloudFront developer guide), calls its
// global `handler(event)`, awaits the result when it is a promise (cloudfront-js-2.0 allows
// async handlers) and writes {"result": ...} or {"error": "..."} as JSON on stdout.
"use strict";
const vm = require("node:vm");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  const { code, event } = JSON.parse(input);
  try {
    const sandbox = vm.createContext({ console: { log() {}, error() {} } });
    vm.runInContext(code, sandbox, { timeout: 1000 });
    if (typeof sandbox.handler !== "function") {
      throw new Error("the function code defines no handler(event)");
    }
    const result = await sandbox.handler(event);
    process.stdout.write(JSON.stringify({ result: result === undefined ? null : result }));
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: String((error && error.message) || error) }));
  }
});

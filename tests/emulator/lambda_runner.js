// Runs one invocation of a Node.js Lambda function for the emulator (cfn_custom.py), under the
// handler contract of the Lambda nodejs runtimes ("Define Lambda function handler in Node.js",
// Lambda Developer Guide): the handler is `FILE.EXPORT` of the function's code directory,
// called with (event, context, callback); an async handler's promise, or the callback, ends
// the invocation. The AWS SDK for JavaScript v3 is found on NODE_PATH, as the runtime puts it.
//
// Reads {"dir", "handler", "event", "context", "outcome"} as JSON on stdin; writes
// {"result": ...} or {"errorType", "errorMessage"} as JSON to the file `outcome`. The function's
// own output (console.log, ...) is its log, on stdout and stderr.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

function finish(file, outcome) {
  fs.writeFileSync(file, JSON.stringify(outcome));
  process.exit(0);
}

function failure(error) {
  return {
    errorType: (error && error.name) || "Error",
    errorMessage: String((error && error.message) || error),
  };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  const { dir, handler, event, context, outcome } = JSON.parse(input);
  const deadline = Date.now() + context.timeoutMs;
  const lambdaContext = {
    functionName: context.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: String(context.memoryLimitInMB),
    awsRequestId: context.awsRequestId,
    logGroupName: `/aws/lambda/${context.functionName}`,
    logStreamName: context.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const dot = handler.lastIndexOf(".");
    const module = require(path.join(dir, handler.slice(0, dot)));
    const fn = module[handler.slice(dot + 1)];
    if (typeof fn !== "function") {
      throw Object.assign(new Error(`${handler} is undefined or not exported`),
        { name: "Runtime.HandlerNotFound" });
    }
    const result = await new Promise((resolve, reject) => {
      const returned = fn(event, lambdaContext, (error, value) => (error ? reject(error) : resolve(value)));
      if (returned && typeof returned.then === "function") returned.then(resolve, reject);
    });
    finish(outcome, { result: result === undefined ? null : result });
  } catch (error) {
    console.error(`ERROR\tInvoke Error\t${JSON.stringify(failure(error))}`);
    finish(outcome, failure(error));
  }
});

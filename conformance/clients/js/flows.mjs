// The JS flows of kvconform's client phase: the official @azure/keyvault-certificates, unmodified, against a vault.
//
// conformance/clients/_js.py runs this script with node and reads its stdout, one JSON object per line:
//   {"type": "start", "sdk": "@azure/keyvault-certificates 4.10.3", "node": "v20…"}
//   {"type": "sign", "csr": "<base64 DER>"}      answered on stdin with {"x5c": ["<leaf>", "<ca>"]} (base64 DER)
//   {"type": "flow", "flow": "CANCEL", "status": "pass|fail|error", "message", "step", "error", "exchange", "trail"}
//   {"type": "cleanup", "leftovers": ["certificate … (…)"]}
// Settings come from the environment (KVCONFORM_CLIENT_*, as for the Java and Go programs, and
// KVCONFORM_JS_MODULES), never from the command line; the token is never printed
// (the recording policy masks Authorization, and _js.py redacts everything again).
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";

const env = process.env;
const modules = env.KVCONFORM_JS_MODULES;
const require = createRequire(path.join(modules, "package.json"));
const sdk = require("@azure/keyvault-certificates");
const sdkVersion = require("@azure/keyvault-certificates/package.json").version;

const vaultUrl = env.KVCONFORM_CLIENT_VAULT;
const token = env.KVCONFORM_CLIENT_TOKEN || "kvconform-no-auth";
const prefix = env.KVCONFORM_CLIENT_PREFIX;
const intervalInMs = Number(env.KVCONFORM_CLIENT_POLL_MS || 1000);
const timeoutMs = Number(env.KVCONFORM_CLIENT_TIMEOUT_MS || 120000);
const verifyChallenge = env.KVCONFORM_CLIENT_VERIFY_CHALLENGE === "1";
const FLOWS = ["CREATE-SELF", "OPERATION", "CANCEL", "MANUAL", "READ", "DELETE"];

function emit(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

// -- the stdin channel: answers to "sign" requests, in order ---------------------------------------------------
const answers = [];
const waiting = [];
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const answer = JSON.parse(line);
  const resolve = waiting.shift();
  if (resolve) resolve(answer);
  else answers.push(answer);
});

function ask(message) {
  emit(message);
  return new Promise((resolve) => {
    if (answers.length) resolve(answers.shift());
    else waiting.push(resolve);
  });
}

// -- recording: every exchange the SDK makes, Authorization masked -----------------------------------------------
let trail = [];

function headersOf(headers) {
  const result = {};
  for (const [name, value] of headers) {
    result[name] = name.toLowerCase() === "authorization" ? "***" : value;
  }
  return result;
}

const recorder = {
  name: "kvconformRecorder",
  async sendRequest(request, next) {
    const entry = {
      method: request.method,
      url: request.url,
      request_headers: headersOf(request.headers),
      request_body: typeof request.body === "string" ? request.body : null,
      status: null,
      response_headers: {},
      response_text: "",
      elapsed: 0,
      error: null,
    };
    trail.push(entry);
    const started = Date.now();
    try {
      const response = await next(request);
      entry.status = response.status;
      entry.response_headers = headersOf(response.headers);
      entry.response_text = response.bodyAsText ?? "";
      return response;
    } catch (error) {
      entry.error = `${error.name}: ${error.message}`;
      throw error;
    } finally {
      entry.elapsed = (Date.now() - started) / 1000;
    }
  },
};

const credential = {
  async getToken() {
    return { token, expiresOnTimestamp: Date.now() + 3600 * 1000 };
  },
};

const client = new sdk.CertificateClient(vaultUrl, credential, {
  disableChallengeResourceVerification: !verifyChallenge,
  additionalPolicies: [{ policy: recorder, position: "perRetry" }],
  retryOptions: { maxRetries: 2 },
  userAgentOptions: { userAgentPrefix: env.KVCONFORM_CLIENT_USER_AGENT || "kvconform" },
});

// -- helpers --------------------------------------------------------------------------------------------------
class FlowFailure extends Error {
  constructor(message, match) {
    super(message);
    this.name = "FlowFailure";
    this.match = match;
  }
}

let step = "";
const names = [];

function at(description) {
  step = description;
}

function expect(condition, message, match) {
  if (!condition) throw new FlowFailure(message, match);
}

function nameFor(label) {
  const name = `${prefix}${label}-${names.length + 1}`;
  names.push(name);
  return name;
}

async function wait(poller) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await poller.pollUntilDone({ abortSignal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) {
      throw new FlowFailure(`the poller did not finish within ${timeoutMs / 1000} s (--timeout)`, "/pending");
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

// Right after the delete the real service can answer a purge 409 (ObjectIsBeingDeleted), which is transient (facts
// file): retried until the timeout.
async function purge(name) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await client.purgeDeletedCertificate(name);
    } catch (error) {
      if (error.statusCode !== 409 || Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalInMs));
  }
}

async function expectNotFound(call, what) {
  try {
    await call();
  } catch (error) {
    if (error.statusCode === 404) return;
    throw error;
  }
  throw new FlowFailure(`${what} is still readable; expected a RestError with statusCode 404`);
}

const manualPolicy = { issuerName: "Unknown", subject: "CN=kvconform-client" };

async function createManual(name) {
  at("beginCreateCertificate(issuer Unknown)");
  const poller = await client.beginCreateCertificate(name, manualPolicy, { intervalInMs });
  expect(!poller.isDone(), "the create poller is done at once, although the manual operation is inProgress", "/pending");
  at("getCertificateOperation(name)");
  const operationPoller = await client.getCertificateOperation(name, { intervalInMs });
  return operationPoller;
}

function operationOf(poller) {
  return poller.getOperationState().certificateOperation ?? {};
}

function sameBytes(left, right) {
  return left !== undefined && Buffer.from(left).equals(Buffer.from(right));
}

async function merge(name, operationPoller) {
  const csr = operationOf(operationPoller).csr;
  expect(csr && csr.length, "the operation carries no CSR to sign", "/pending");
  const signed = await ask({ type: "sign", csr: Buffer.from(csr).toString("base64") });
  expect(!signed.error, `the operation's csr could not be signed: ${signed.error}`, "/pending");
  const chain = signed.x5c.map((item) => new Uint8Array(Buffer.from(item, "base64")));
  at("mergeCertificate(name, [leaf, ca])");
  const merged = await client.mergeCertificate(name, chain);
  expect(sameBytes(merged.cer, chain[0]), "the merged certificate's cer is not the leaf");
}

// -- the flows ------------------------------------------------------------------------------------------------
const flows = {
  async "CREATE-SELF"() {
    const name = nameFor("self");
    at("beginCreateCertificate(DefaultCertificatePolicy) and pollUntilDone");
    const poller = await client.beginCreateCertificate(name, sdk.DefaultCertificatePolicy, { intervalInMs });
    const certificate = await wait(poller);
    expect(
      certificate && certificate.cer && certificate.cer.length,
      "pollUntilDone gave the certificate without its cer: the poller stopped before the operation completed",
      "/pending",
    );
    at("getCertificateOperation(name)");
    const operation = operationOf(await client.getCertificateOperation(name, { intervalInMs }));
    expect(operation.status === "completed", `status ${JSON.stringify(operation.status)}, expected completed`, "/pending");
  },

  async OPERATION() {
    const name = nameFor("op");
    const poller = await createManual(name);
    const state = poller.getOperationState();
    expect(!state.isCompleted, "the operation poller says completed, although the operation is inProgress", "/pending");
    const operation = operationOf(poller);
    expect(operation.status === "inProgress", `status ${JSON.stringify(operation.status)}, expected inProgress`, "/pending");
    expect(operation.csr && operation.csr.length, "the operation carries no CSR", "/pending");
    at("beginCreateCertificate(name) again while inProgress");
    try {
      await client.beginCreateCertificate(name, manualPolicy, { intervalInMs });
    } catch (error) {
      expect(error.statusCode === 409, `${describe(error)}; expected a RestError with statusCode 409`);
      return;
    }
    throw new FlowFailure("the second create was accepted; expected a RestError with statusCode 409");
  },

  async CANCEL() {
    const name = nameFor("cancel");
    const poller = await createManual(name);
    at("cancelOperation() on the operation poller");
    await poller.cancelOperation();
    expect(operationOf(poller).cancellationRequested === true, "cancellationRequested is not true after the cancel");
    at("deleteCertificateOperation(name)");
    await client.deleteCertificateOperation(name);
    at("getCertificateOperation(name) after the delete");
    await expectNotFound(() => client.getCertificateOperation(name, { intervalInMs }), "the deleted operation");
  },

  async MANUAL() {
    const name = nameFor("merge");
    await merge(name, await createManual(name));
    at("getCertificateOperation(name) after the merge");
    const poller = await client.getCertificateOperation(name, { intervalInMs });
    const operation = operationOf(poller);
    expect(operation.status === "completed", `status ${JSON.stringify(operation.status)}, expected completed`, "/pending");
    expect(poller.isDone(), "the operation poller is not done after the merge", "/pending");
  },

  async READ() {
    const name = nameFor("read");
    const poller = await createManual(name);
    at("getCertificate(name) while pending");
    const pending = await client.getCertificate(name);
    expect(pending.name?.toLowerCase() === name.toLowerCase(), `the pending certificate is named ${pending.name}`);
    at("listPropertiesOfCertificates({ includePending: true })");
    let listed = false;
    for await (const item of client.listPropertiesOfCertificates({ includePending: true })) {
      if (item.name?.toLowerCase() === name.toLowerCase()) listed = true;
    }
    expect(listed, "the pending certificate is not listed", "/certificates");
    await merge(name, poller);
    at("getCertificate(name) after the merge");
    const certificate = await client.getCertificate(name);
    expect(certificate.cer && certificate.cer.length, "the merged certificate has no cer");
    at("getCertificateVersion(name, version)");
    await client.getCertificateVersion(name, certificate.properties.version);
    at("getCertificatePolicy(name)");
    const policy = await client.getCertificatePolicy(name);
    expect(policy.issuerName?.toLowerCase() === "unknown", `issuer ${JSON.stringify(policy.issuerName)}, expected Unknown`);
  },

  async DELETE() {
    const name = nameFor("delete");
    await merge(name, await createManual(name));
    at("beginDeleteCertificate(name) and pollUntilDone");
    const deleted = await wait(await client.beginDeleteCertificate(name, { intervalInMs }));
    expect(deleted && deleted.name?.toLowerCase() === name.toLowerCase(), "no deleted certificate");
    if (deleted.recoveryId) {
      at("getDeletedCertificate(name)");
      await client.getDeletedCertificate(name);
      at("purgeDeletedCertificate(name)");
      await purge(name);
    }
    at("getCertificate(name) after the delete");
    await expectNotFound(() => client.getCertificate(name), "the deleted certificate");
  },
};

function describe(error) {
  const status = error.statusCode !== undefined ? ` (statusCode ${error.statusCode})` : "";
  const code = error.code ? ` [${error.code}]` : "";
  return `${error.name}${status}${code}: ${String(error.message).split("\n")[0]}`;
}

function pick(match) {
  if (match) {
    for (let index = trail.length - 1; index >= 0; index--) {
      if (new URL(trail[index].url).pathname.includes(match)) return trail[index];
    }
  }
  return trail.length ? trail[trail.length - 1] : null;
}

function isUnreachable(error) {
  return error.name === "RestError" && error.statusCode === undefined && !error.response;
}

async function runFlow(flow) {
  trail = [];
  step = "start";
  const named = names.length;
  const started = Date.now();
  const result = { type: "flow", flow, status: "pass", message: "", step: "", error: "" };
  try {
    await flows[flow]();
  } catch (error) {
    const unreachable = isUnreachable(error);
    if (unreachable && trail.every((entry) => entry.status === null)) {
      names.splice(named); // nothing of this flow reached the target: nothing to remove
    }
    result.status = error instanceof FlowFailure ? "fail" : unreachable ? "error" : "fail";
    result.error = error instanceof FlowFailure ? error.message : describe(error);
    result.message =
      error instanceof FlowFailure
        ? error.message
        : unreachable
          ? `the target could not be reached: ${result.error}`
          : `the SDK threw ${result.error}`;
    result.step = step;
    result.exchange = pick(error instanceof FlowFailure ? error.match : undefined);
    result.trail = trail;
  }
  result.duration = (Date.now() - started) / 1000;
  emit(result);
  return result;
}

async function remove(name) {
  try {
    await client.deleteCertificateOperation(name);
  } catch {
    // no operation (any more)
  }
  let deleted = null;
  try {
    deleted = await wait(await client.beginDeleteCertificate(name, { intervalInMs }));
  } catch (error) {
    if (error.statusCode !== 404) throw error;
  }
  if (deleted === null || deleted.recoveryId) {
    try {
      await purge(name);
    } catch (error) {
      if (error.statusCode !== 404) throw error;
    }
  }
}

async function main() {
  emit({ type: "start", sdk: `@azure/keyvault-certificates ${sdkVersion}`, node: process.version });
  const only = env.KVCONFORM_CLIENT_FLOWS ? env.KVCONFORM_CLIENT_FLOWS.split(",") : FLOWS;
  let unreachable = null;
  for (const flow of FLOWS.filter((item) => only.includes(item))) {
    if (unreachable) {
      // every later call would only wait out its retries
      emit({ type: "flow", flow, status: "error", message: `not run: ${unreachable}`, step: "", error: "" });
      continue;
    }
    const result = await runFlow(flow);
    if (result.status === "error") unreachable = `${result.step}: ${result.message}`;
  }
  const leftovers = [];
  for (const [index, name] of names.entries()) {
    try {
      await remove(name);
    } catch (error) {
      if (isUnreachable(error)) {
        const reason = `js client cleanup: the target could not be reached: ${describe(error)}`;
        leftovers.push(...names.slice(index).map((left) => `certificate ${left} (${reason})`));
        break;
      }
      leftovers.push(`certificate ${name} (js client cleanup: ${describe(error)})`);
    }
  }
  emit({ type: "cleanup", leftovers });
}

main().then(
  () => process.exit(0),
  (error) => {
    emit({ type: "fatal", error: describe(error) });
    process.exit(1);
  },
);

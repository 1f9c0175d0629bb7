// Checks the API documentation against the contract of issue 2:
//  - docs/openapi.yaml parses as YAML, is OpenAPI 3.0.3, has every contract operation (method +
//    path), a 2xx response on each, declares every path parameter, resolves every $ref, has the
//    schemas Bot, Document, Plan, Subscription, Message, Error and a bearer JWT scheme, and the
//    Error code enum lists every documented code;
//  - docs/api.md names every contract path and error code;
//  - docs/protocol.md names every WebSocket frame type, error code and close code.
// usage: node tests/deploy/check_openapi.mjs [REPO_ROOT]      exit 0 = all passed.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadYaml, repoRoot } from "./modules.mjs";

const root = resolve(process.argv[2] || repoRoot);
const YAML = loadYaml();
let failures = 0;
const fail = (message) => { failures += 1; console.error(`FAIL: ${message}`); };
const ok = (message) => console.log(`ok:   ${message}`);
let mark = 0;
const step = () => { mark = failures; };
const okIfClean = (message) => { if (failures === mark) ok(message); };

// The REST contract (issue 2, "The contract"), plus logout which the gateway also serves.
const contract = [
  ["post", "/api/v1/users"],
  ["post", "/api/v1/auth/login"],
  ["post", "/api/v1/auth/refresh"],
  ["post", "/api/v1/auth/logout"],
  ["get", "/api/v1/users/me"],
  ["get", "/api/v1/plans"],
  ["get", "/api/v1/subscriptions/current"],
  ["post", "/api/v1/subscriptions"],
  ["post", "/api/v1/bots"],
  ["get", "/api/v1/bots"],
  ["get", "/api/v1/bots/{id}"],
  ["patch", "/api/v1/bots/{id}"],
  ["delete", "/api/v1/bots/{id}"],
  ["post", "/api/v1/bots/{id}/knowledge"],
  ["get", "/api/v1/bots/{id}/knowledge"],
  ["delete", "/api/v1/bots/{id}/knowledge/{doc_id}"],
  ["post", "/api/v1/widget/{public_id}/sessions"],
  ["get", "/api/v1/bots/{id}/conversations"],
  ["get", "/api/v1/conversations/{id}/messages"],
  // Issue 8: channel bindings and the public Telegram webhook.
  ["post", "/api/v1/bots/{id}/channels"],
  ["get", "/api/v1/bots/{id}/channels"],
  ["delete", "/api/v1/bots/{id}/channels/{channel_id}"],
  ["post", "/webhooks/telegram/{channel_id}"],
  // The inbox (issue 9).
  ["post", "/api/v1/conversations/{id}/takeover"],
  ["post", "/api/v1/conversations/{id}/handback"],
  ["post", "/api/v1/conversations/{id}/read"],
  ["get", "/api/v1/analytics"],
  // Issue 7: the bot's model status (provider fallbacks).
  ["get", "/api/v1/bots/{id}/model-status"],
];
const errorCodes = {
  invalid_json: 400, validation_failed: 400, unauthorized: 401, invalid_credentials: 401,
  quota_exceeded: 402, forbidden: 403, not_found: 404, method_not_allowed: 405, conflict: 409,
  payload_too_large: 413, unavailable: 503,
};
const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

// 1. docs/openapi.yaml
step();
let spec = null;
try {
  const doc = YAML.parseDocument(readFileSync(join(root, "docs", "openapi.yaml"), "utf8"));
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join("; "));
  spec = doc.toJS();
} catch (error) {
  fail(`docs/openapi.yaml does not parse: ${error.message}`);
}
if (spec) {
  if (spec.openapi !== "3.0.3") fail(`openapi is ${JSON.stringify(spec.openapi)}, expected "3.0.3"`);
  if (!spec.info?.title || !spec.info?.version) fail("info.title and info.version are required");
  const paths = spec.paths ?? {};
  for (const [method, path] of contract) {
    const operation = paths[path]?.[method];
    if (!operation) {
      fail(`openapi: no ${method.toUpperCase()} ${path}`);
      continue;
    }
    if (!Object.keys(operation.responses ?? {}).some((status) => /^2\d\d$/.test(status))) {
      fail(`openapi: ${method.toUpperCase()} ${path} has no 2xx response`);
    }
  }
  for (const [path, item] of Object.entries(paths)) {
    const declared = (item.parameters ?? []).map((p) => p.$ref ? resolveRef(p.$ref) : p);
    for (const method of methods.filter((m) => item[m])) {
      const params = [...declared, ...(item[method].parameters ?? []).map((p) => p.$ref ? resolveRef(p.$ref) : p)];
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        if (!params.some((p) => p?.in === "path" && p.name === name && p.required === true)) {
          fail(`openapi: ${method.toUpperCase()} ${path} does not declare required path parameter ${name}`);
        }
      }
      if (!item[method].responses) fail(`openapi: ${method.toUpperCase()} ${path} has no responses`);
    }
  }
  const schemas = spec.components?.schemas ?? {};
  for (const name of ["Bot", "Document", "Plan", "Subscription", "Message", "Error"]) {
    if (!schemas[name]) fail(`openapi: no components.schemas.${name}`);
  }
  const bearer = Object.values(spec.components?.securitySchemes ?? {}).find(
    (s) => s.type === "http" && String(s.scheme).toLowerCase() === "bearer");
  if (!bearer) fail("openapi: no http bearer security scheme");
  else if (bearer.bearerFormat !== "JWT") fail("openapi: the bearer scheme should say bearerFormat: JWT");
  const codes = schemas.Error?.properties?.error?.properties?.code?.enum ?? [];
  for (const code of Object.keys(errorCodes)) {
    if (!codes.includes(code)) fail(`openapi: Error.code enum lacks ${code}`);
  }
  // Every $ref resolves.
  const walk = (node, where) => {
    if (Array.isArray(node)) node.forEach((child, i) => walk(child, `${where}/${i}`));
    else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref") {
          if (resolveRef(value) === undefined) fail(`openapi: unresolved $ref ${value} at ${where}`);
        } else {
          walk(value, `${where}/${key}`);
        }
      }
    }
  };
  walk(spec, "#");
}
okIfClean(`docs/openapi.yaml: OpenAPI 3.0.3, ${contract.length} contract operations, schemas, refs`);

function resolveRef(ref) {
  if (typeof ref !== "string" || !ref.startsWith("#/")) return undefined;
  return ref.slice(2).split("/").reduce(
    (node, part) => (node == null ? undefined : node[part.replace(/~1/g, "/").replace(/~0/g, "~")]), spec);
}

// 2. docs/api.md
step();
let api = "";
try {
  api = readFileSync(join(root, "docs", "api.md"), "utf8");
} catch (error) {
  fail(`docs/api.md: ${error.message}`);
}
for (const [method, path] of contract) {
  if (!api.includes(`${method.toUpperCase()} ${path}`)) {
    fail(`docs/api.md does not mention ${method.toUpperCase()} ${path}`);
  }
}
for (const [code, status] of Object.entries(errorCodes)) {
  if (!new RegExp(`\\|\\s*${status}\\s*\\|\\s*\`${code}\``).test(api)) {
    fail(`docs/api.md error table lacks | ${status} | \`${code}\` |`);
  }
}
okIfClean("docs/api.md: every contract path and error code");

// 3. docs/protocol.md
step();
const frames = ["conversation.join", "conversation.joined", "conversation.leave", "message.send",
  "message.ack", "message.new", "message.delta", "error",
  // The inbox (issue 9): takeover state and typing.
  "handoff.request", "conversation.state", "typing",
  // live: answer ratings (docs/protocol.md "Answer feedback").
  "message.feedback"];
const wsCodes = ["invalid_json", "unknown_type", "forbidden", "not_found", "not_joined",
  "invalid_text", "rate_limited", "unavailable"];
let protocol = null;
try {
  protocol = readFileSync(join(root, "docs", "protocol.md"), "utf8");
} catch (error) {
  fail(`docs/protocol.md: ${error.message}`);
}
if (protocol !== null) {
  for (const frame of frames) {
    if (!protocol.includes(`\`${frame}\``)) fail(`docs/protocol.md does not describe frame \`${frame}\``);
  }
  for (const code of wsCodes) {
    if (!protocol.includes(`\`${code}\``)) fail(`docs/protocol.md does not describe error code \`${code}\``);
  }
  for (const close of ["1000", "1001", "1008", "1009"]) {
    if (!protocol.includes(`| ${close} |`)) fail(`docs/protocol.md close code table lacks ${close}`);
  }
  if (!protocol.includes("since_seq")) fail("docs/protocol.md does not describe resuming with since_seq");
}
okIfClean("docs/protocol.md: frames, error codes, close codes, resume");

if (failures > 0) {
  console.error(`check_openapi: ${failures} failure(s)`);
  process.exit(1);
}
console.log("check_openapi: all passed");

// Offline checks of deploy/k8s (no cluster needed):
//  - every YAML file parses, every document has apiVersion, kind and metadata.name, and
//    validates against the kubernetes-models schema of its kind;
//  - kustomization.yaml lists every manifest (templates excepted) and only existing files, and
//    no Secret with placeholder values;
//  - every service under services/ has a Deployment and a Service: liveness /healthz and
//    readiness /readyz on a declared port, resources, the shared ConfigMap; Service selectors
//    match pod labels and target declared ports; ConfigMap *_ADDR point at real Service ports;
//  - the gateway: >= 2 replicas, an HPA (min >= 2), a PDB, an Ingress with long proxy timeouts
//    (WebSocket) that routes to the gateway Service;
//  - every secretKeyRef names a key of secret.template.yaml; every service gets
//    INTERNAL_RPC_SECRET from the Secret;
//  - NetworkPolicies: ingress denied by default, each internal service's gRPC port open only to
//    its callers (README.md's service diagram), ops ports to namespace `monitoring`, and only the
//    gateway reachable from outside the namespace (the ingress controller). The policy check is
//    also run on broken copies, which it must refuse.
// usage: node tests/deploy/check_k8s.mjs [REPO_ROOT]      exit 0 = all passed.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { loadK8sModel, loadYaml, repoRoot } from "./modules.mjs";

const root = resolve(process.argv[2] || repoRoot);
const k8sDir = join(root, "deploy", "k8s");
const YAML = loadYaml();
let failures = 0;
const fail = (message) => { failures += 1; console.error(`FAIL: ${message}`); };
const ok = (message) => console.log(`ok:   ${message}`);
let mark = 0;
const step = () => { mark = failures; };                          // starts a group of checks
const okIfClean = (message) => { if (failures === mark) ok(message); };

function yamlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

// 1. Parse and validate every document.
step();
const objects = [];  // {file, doc}
const files = yamlFiles(k8sDir).sort();
if (files.length === 0) fail("no YAML files under deploy/k8s");
for (const file of files) {
  const rel = relative(root, file);
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  let count = 0;
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      fail(`${rel}: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const value = doc.toJS();
    if (value == null) continue;  // empty document (e.g. trailing ---)
    count += 1;
    if (typeof value.apiVersion !== "string" || typeof value.kind !== "string") {
      fail(`${rel}: document ${count} has no apiVersion/kind`);
      continue;
    }
    if (value.kind !== "Kustomization" && !value.metadata?.name) {
      fail(`${rel}: ${value.kind} without metadata.name`);
    }
    objects.push({ file: rel, doc: value });
    if (value.apiVersion.startsWith("kustomize.config.k8s.io/")) continue;
    const Model = await loadK8sModel(value.apiVersion, value.kind);
    if (!Model) {
      fail(`${rel}: unknown ${value.apiVersion} ${value.kind}`);
      continue;
    }
    try {
      new Model(value).validate();
    } catch (error) {
      fail(`${rel}: ${value.kind} ${value.metadata?.name}: ${error.message}`);
    }
  }
  if (count === 0) fail(`${rel}: no documents`);
}
okIfClean(`${files.length} files, ${objects.length} documents parsed and validated`);

const find = (kind, name) => objects.find((o) => o.doc.kind === kind && o.doc.metadata?.name === name)?.doc;
const all = (kind) => objects.filter((o) => o.doc.kind === kind).map((o) => o.doc);

// 2. kustomization.yaml
step();
const kustomization = objects.find((o) => o.doc.kind === "Kustomization");
if (!kustomization) {
  fail("deploy/k8s/kustomization.yaml missing");
} else {
  const listed = new Set(kustomization.doc.resources ?? []);
  for (const entry of listed) {
    const file = join(k8sDir, entry);
    try {
      statSync(file);
    } catch {
      fail(`kustomization.yaml lists missing ${entry}`);
      continue;
    }
    if (objects.some((o) => o.file === relative(root, file) && o.doc.kind === "Secret")) {
      fail(`kustomization.yaml applies the Secret in ${entry} (create it out of band)`);
    }
  }
  for (const file of files) {
    const name = relative(k8sDir, file);
    if (basename(name) === "kustomization.yaml" || name.includes(".template.")) continue;
    if (!listed.has(name)) fail(`kustomization.yaml does not list ${name}`);
  }
  okIfClean("kustomization.yaml lists every manifest");
}

// 3. Per service.
const secretTemplate = all("Secret").find((s) => s.metadata.name === "botfactory-secrets");
const secretKeys = new Set(Object.keys({ ...(secretTemplate?.stringData ?? {}), ...(secretTemplate?.data ?? {}) }));
if (!secretTemplate) fail("no Secret botfactory-secrets template (secret.template.yaml)");
const configMap = find("ConfigMap", "botfactory-config");
if (!configMap) fail("no ConfigMap botfactory-config");

const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v) && Object.keys(selector ?? {}).length > 0;

function portOf(container, port) {
  return (container.ports ?? []).find((p) => p.name === port || p.containerPort === port);
}

const serviceNames = readdirSync(join(root, "services"))
  .filter((name) => statSync(join(root, "services", name)).isDirectory())
  .sort();
for (const svc of serviceNames) {
  const before = failures;
  const deployment = find("Deployment", svc);
  const service = find("Service", svc);
  if (!deployment) { fail(`${svc}: no Deployment`); continue; }
  if (!service) { fail(`${svc}: no Service`); continue; }
  const pod = deployment.spec.template;
  if (!matches(deployment.spec.selector?.matchLabels, pod.metadata?.labels)) {
    fail(`${svc}: Deployment selector does not match its pod labels`);
  }
  if (!matches(service.spec.selector, pod.metadata?.labels)) fail(`${svc}: Service selector does not match the pods`);
  const container = pod.spec.containers?.[0];
  if (!container) { fail(`${svc}: no container`); continue; }
  if (!String(container.image).startsWith(`botfactory/${svc}:`)) fail(`${svc}: image ${container.image}`);
  for (const [probe, path] of [["livenessProbe", "/healthz"], ["readinessProbe", "/readyz"]]) {
    const get = container[probe]?.httpGet;
    if (!get || get.path !== path) fail(`${svc}: ${probe} is not GET ${path}`);
    else if (!portOf(container, get.port)) fail(`${svc}: ${probe} port ${get.port} is not declared`);
  }
  if (!container.resources?.requests?.cpu || !container.resources?.limits?.memory) {
    fail(`${svc}: needs resources.requests.cpu and resources.limits.memory`);
  }
  if (!(container.envFrom ?? []).some((e) => e.configMapRef?.name === "botfactory-config")) {
    fail(`${svc}: does not load ConfigMap botfactory-config`);
  }
  for (const env of container.env ?? []) {
    const ref = env.valueFrom?.secretKeyRef;
    if (ref && (ref.name !== "botfactory-secrets" || !secretKeys.has(ref.key))) {
      fail(`${svc}: secretKeyRef ${ref.name}/${ref.key} is not in secret.template.yaml`);
    }
  }
  for (const port of service.spec.ports ?? []) {
    if (!portOf(container, port.targetPort)) fail(`${svc}: Service port ${port.name} targets undeclared ${port.targetPort}`);
  }
  if (pod.spec.securityContext?.runAsNonRoot !== true) fail(`${svc}: pods must run as non-root`);
  if (failures === before) ok(`${svc}: Deployment + Service, probes /healthz /readyz`);
}

// ConfigMap addresses point at real Service ports.
step();
for (const [key, value] of Object.entries(configMap?.data ?? {})) {
  if (!key.endsWith("_ADDR")) continue;
  // "dns:///name:port" (client-side round robin over a headless Service) names a Service too.
  const [host, port] = String(value).replace(/^dns:\/\/\//, "").split(":");
  const service = find("Service", host);
  if (!service) fail(`ConfigMap ${key}=${value}: no Service ${host}`);
  else if (!(service.spec.ports ?? []).some((p) => p.port === Number(port))) fail(`ConfigMap ${key}=${value}: Service ${host} has no port ${port}`);
}
// ConfigMap listen addresses are ports the owning container declares.
const listenOwner = { AUTH: "auth", SUBSCRIPTION: "subscription", REGISTRY: "bot-registry",
  AI_PROXY: "ai-proxy", CHANNEL: "channel-connector", HTTP: "gateway" };
for (const [key, value] of Object.entries(configMap?.data ?? {})) {
  const m = /^(AUTH|SUBSCRIPTION|REGISTRY|AI_PROXY|CHANNEL|HTTP)_(?:GRPC_|METRICS_)?LISTEN$/.exec(key);
  if (!m) continue;
  const port = Number(String(value).split(":").pop());
  const container = find("Deployment", listenOwner[m[1]])?.spec.template.spec.containers?.[0];
  if (!container) fail(`ConfigMap ${key}: no Deployment ${listenOwner[m[1]]}`);
  else if (!portOf(container, port)) fail(`ConfigMap ${key}=${value}: ${listenOwner[m[1]]} declares no containerPort ${port}`);
}
for (const key of ["AUTH_ADDR", "SUBSCRIPTION_ADDR", "REGISTRY_ADDR", "AI_PROXY_ADDR", "CHANNEL_ADDR", "REDIS_HOST"]) {
  if (!configMap?.data?.[key]) fail(`ConfigMap has no ${key}`);
}

okIfClean("ConfigMap addresses match Service and container ports");

// 4. Gateway scaling and entry.
step();
const gateway = find("Deployment", "gateway");
const gatewayLabels = gateway?.spec.template.metadata.labels;
if (!gateway || !(gateway.spec.replicas >= 2)) fail("gateway Deployment needs replicas >= 2");
const hpa = all("HorizontalPodAutoscaler").find((h) => h.spec.scaleTargetRef?.name === "gateway");
if (!hpa || hpa.spec.scaleTargetRef.kind !== "Deployment" || !(hpa.spec.minReplicas >= 2)) {
  fail("no HorizontalPodAutoscaler for Deployment gateway with minReplicas >= 2");
}
const pdb = all("PodDisruptionBudget").find((p) => matches(p.spec.selector?.matchLabels, gatewayLabels));
if (!pdb) fail("no PodDisruptionBudget selecting the gateway pods");
const ingress = all("Ingress").find((i) =>
  (i.spec.rules ?? []).some((r) => (r.http?.paths ?? []).some((p) => p.backend?.service?.name === "gateway")));
if (!ingress) {
  fail("no Ingress routing to Service gateway");
} else {
  const timeout = Number(ingress.metadata.annotations?.["nginx.ingress.kubernetes.io/proxy-read-timeout"]);
  if (!(timeout >= 3600)) fail("Ingress needs nginx.ingress.kubernetes.io/proxy-read-timeout >= 3600 (WebSockets)");
  const gatewayService = find("Service", "gateway");
  for (const rule of ingress.spec.rules) {
    for (const path of rule.http.paths) {
      const port = path.backend.service.port;
      if (!(gatewayService?.spec.ports ?? []).some((p) => p.name === port.name || p.port === port.number)) {
        fail(`Ingress backend port ${JSON.stringify(port)} is not a port of Service gateway`);
      }
    }
  }
}
okIfClean("gateway: replicas >= 2, HPA, PDB, Ingress with WebSocket timeouts");

// 5. NetworkPolicies.
// Who calls whom (README.md, "Services"); the checker fails when a service is missing here.
const expectedCallers = {
  auth: ["gateway"],
  subscription: ["bot-registry", "channel-connector", "gateway"],
  "bot-registry": ["ai-proxy", "channel-connector", "gateway"],
  "channel-connector": ["gateway"],
  "ai-proxy": ["channel-connector"],
};
const ingressNamespace = "ingress-nginx";
const monitoringNamespace = "monitoring";
const nsName = (selector) => {
  const keys = Object.keys(selector?.matchLabels ?? {});
  if (keys.length === 0 && !(selector?.matchExpressions?.length)) return "*";  // every namespace
  return selector.matchLabels?.["kubernetes.io/metadata.name"] ?? "?";
};
const isAll = (selector) =>
  Object.keys(selector?.matchLabels ?? {}).length === 0 && !(selector?.matchExpressions?.length);

/** The problems of `policies` for the pods of `deployments` ({name: Deployment}); [] = fine. */
function policyProblems(policies, deployments) {
  const problems = [];
  const labelsOf = (svc) => deployments[svc]?.spec.template.metadata.labels ?? {};
  const containerOf = (svc) => deployments[svc]?.spec.template.spec.containers?.[0] ?? {};
  const selects = (selector, labels) => {
    if (selector?.matchExpressions?.length) {
      problems.push("matchExpressions are not supported by this check; use matchLabels");
      return false;
    }
    return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  };
  const deny = policies.find((p) => isAll(p.spec.podSelector) && (p.spec.policyTypes ?? []).includes("Ingress") &&
    !(p.spec.ingress ?? []).length);
  if (!deny) problems.push("no default-deny ingress policy (podSelector {}, policyTypes [Ingress], no rules)");
  for (const policy of policies) {
    if (policy === deny) continue;
    if (!Object.keys(deployments).some((svc) => selects(policy.spec.podSelector, labelsOf(svc)))) {
      problems.push(`NetworkPolicy ${policy.metadata.name} selects no Deployment's pods`);
    }
  }
  for (const svc of Object.keys(deployments)) {
    const container = containerOf(svc);
    const portName = (port) => portOf(container, port)?.name;
    const allPorts = (container.ports ?? []).map((p) => p.name);
    const grants = [];  // {source, port}: source "pod:<svc>", "ns:<name>", "anyone", "ip:<cidr>"
    for (const policy of policies) {
      if (!(policy.spec.policyTypes ?? ["Ingress"]).includes("Ingress")) continue;
      if (!selects(policy.spec.podSelector, labelsOf(svc))) continue;
      for (const rule of policy.spec.ingress ?? []) {
        const ports = rule.ports?.length ? rule.ports.map((p) => portName(p.port)) : allPorts;
        if (ports.includes(undefined)) problems.push(`${policy.metadata.name}: a port is not declared by ${svc}`);
        const sources = [];
        if (!rule.from?.length) sources.push("anyone");
        for (const peer of rule.from ?? []) {
          if (peer.ipBlock) sources.push(`ip:${peer.ipBlock.cidr}`);
          else if (peer.namespaceSelector) sources.push(`ns:${nsName(peer.namespaceSelector)}`);
          else if (peer.podSelector) {
            if (isAll(peer.podSelector)) sources.push("pod:*");
            for (const caller of Object.keys(deployments)) {
              if (!isAll(peer.podSelector) && selects(peer.podSelector, labelsOf(caller))) sources.push(`pod:${caller}`);
            }
          }
        }
        for (const source of sources) for (const port of ports) grants.push({ source, port });
      }
    }
    const external = grants.filter((g) => !g.source.startsWith("pod:"));
    for (const g of external) {
      const fine = (g.source === `ns:${monitoringNamespace}` && g.port === "ops") ||
        (svc === "gateway" && g.source === `ns:${ingressNamespace}` && g.port === "http");
      if (!fine) problems.push(`${svc}: port ${g.port} is open to ${g.source} (only the gateway may be reachable from outside)`);
    }
    const metricsPort = "ops";
    if (!grants.some((g) => g.source === `ns:${monitoringNamespace}` && g.port === metricsPort)) {
      problems.push(`${svc}: metrics port ${metricsPort} is not open to namespace ${monitoringNamespace}`);
    }
    const internal = grants.filter((g) => g.source.startsWith("pod:"));
    if (svc === "gateway") {
      if (!grants.some((g) => g.source === `ns:${ingressNamespace}` && g.port === "http")) {
        problems.push(`gateway: port http is not open to the ingress controller (namespace ${ingressNamespace})`);
      }
      for (const g of internal) problems.push(`gateway: open to ${g.source} (nothing inside calls the gateway)`);
      continue;
    }
    if (!expectedCallers[svc]) {
      problems.push(`${svc}: no expected callers in check_k8s.mjs (add it from README.md's diagram)`);
      continue;
    }
    for (const g of internal) {
      if (g.port !== "grpc") problems.push(`${svc}: port ${g.port} is open to ${g.source}`);
    }
    const callers = [...new Set(internal.filter((g) => g.port === "grpc").map((g) => g.source.slice(4)))].sort();
    if (JSON.stringify(callers) !== JSON.stringify(expectedCallers[svc])) {
      problems.push(`${svc}: gRPC open to [${callers}], expected exactly its callers [${expectedCallers[svc]}]`);
    }
  }
  return problems;
}

step();
const deployments = Object.fromEntries(serviceNames.map((svc) => [svc, find("Deployment", svc)]).filter(([, d]) => d));
const policies = all("NetworkPolicy");
for (const problem of policyProblems(policies, deployments)) fail(`NetworkPolicy: ${problem}`);
okIfClean(`NetworkPolicies: default deny; each service open only to its callers; only the gateway reachable from outside (${policies.length} policies)`);

// The policy check can fail: broken copies must each be refused.
step();
const clone = (value) => JSON.parse(JSON.stringify(value));
const broken = {
  "without the default deny": (ps) => ps.filter((p) => !isAll(p.spec.podSelector)),
  "auth open to every pod": (ps) => ps.map((p) => p.metadata.name === "auth-ingress"
    ? { ...p, spec: { ...p.spec, ingress: [{ from: [{ podSelector: {} }] }] } } : p),
  "subscription open to the Internet": (ps) => ps.map((p) => p.metadata.name === "subscription-ingress"
    ? { ...p, spec: { ...p.spec, ingress: [...p.spec.ingress, { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] } } : p),
  "ai-proxy open to the gateway": (ps) => ps.map((p) => p.metadata.name === "ai-proxy-ingress"
    ? { ...p, spec: { ...p.spec, ingress: [...p.spec.ingress, { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "gateway" } } }], ports: [{ port: "grpc" }] }] } } : p),
};
for (const [what, mutate] of Object.entries(broken)) {
  if (policyProblems(mutate(clone(policies)), deployments).length === 0) fail(`the NetworkPolicy check accepts policies ${what}`);
}
okIfClean(`the NetworkPolicy check refuses ${Object.keys(broken).length} broken variants`);

// Every service takes the internal-call secret from the Secret.
step();
for (const [svc, deployment] of Object.entries(deployments)) {
  const env = deployment.spec.template.spec.containers?.[0]?.env ?? [];
  const ref = env.find((e) => e.name === "INTERNAL_RPC_SECRET")?.valueFrom?.secretKeyRef;
  if (!ref || ref.name !== "botfactory-secrets" || ref.optional) {
    fail(`${svc}: INTERNAL_RPC_SECRET must come from Secret botfactory-secrets (not optional)`);
  }
}
okIfClean("every service takes INTERNAL_RPC_SECRET from the Secret");

if (failures > 0) {
  console.error(`check_k8s: ${failures} failure(s)`);
  process.exit(1);
}
console.log("check_k8s: all passed");

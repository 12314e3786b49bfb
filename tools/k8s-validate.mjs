// Checks rendered Kubernetes manifests against the API's OpenAPI schemas (kubernetes-models: the built-in kinds;
// @kubernetes-models/cloudnative-pg: CloudNativePG's Cluster; @kubernetes-models/cert-manager: the Certificate), the way `kubectl apply --dry-run=server` would without
// a cluster: types, required fields, enums, formats. Kinds with no schema package here must be named with --unchecked
// (their required fields are checked by Registry.Deploy.Tests' K8sManifestTests); any other kind fails.
//   node tools/k8s-validate.mjs [--unchecked group/version/Kind ...] file.yaml ...
// Exit 0: every document valid; 1: a document invalid or of an unknown kind (each named on stderr); 2: usage.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const args = process.argv.slice(2);
const unchecked = new Set();
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--unchecked") unchecked.add(args[++i]);
  else files.push(args[i]);
}
if (files.length === 0) {
  console.error("usage: node tools/k8s-validate.mjs [--unchecked group/version/Kind ...] file.yaml ...");
  process.exit(2);
}

// apiVersion -> the module folder of its models.
function modulePath(apiVersion, kind) {
  if (apiVersion.startsWith("postgresql.cnpg.io/")) return `@kubernetes-models/cloudnative-pg/${apiVersion}/${kind}`;
  if (apiVersion.startsWith("cert-manager.io/")) return `@kubernetes-models/cert-manager/${apiVersion}/${kind}`;
  if (!apiVersion.includes("/")) return `kubernetes-models/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

let failures = 0;
let checked = 0;
const skipped = new Map();
for (const file of files) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      console.error(`${file}: YAML error: ${doc.errors[0].message}`);
      failures++;
      continue;
    }
    const object = doc.toJS();
    if (object == null) continue;
    const { apiVersion, kind } = object;
    const name = `${kind ?? "?"} ${object.metadata?.namespace ? object.metadata.namespace + "/" : ""}${object.metadata?.name ?? "?"}`;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      console.error(`${file}: ${name}: no apiVersion or kind`);
      failures++;
      continue;
    }
    const key = `${apiVersion}/${kind}`;
    if (unchecked.has(key)) {
      skipped.set(key, (skipped.get(key) ?? 0) + 1);
      continue;
    }
    let Model;
    try {
      Model = (await import(modulePath(apiVersion, kind)))[kind];
    } catch {
      Model = undefined;
    }
    if (typeof Model !== "function") {
      console.error(`${file}: ${name}: no schema for ${key} (a typo in apiVersion or kind, or pass --unchecked ${key})`);
      failures++;
      continue;
    }
    try {
      new Model(object).validate();
      checked++;
    } catch (error) {
      const details = (error.errors ?? []).map(e => `${e.instancePath || "/"} ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`);
      console.error(`${file}: ${name}: ${details.length > 0 ? details.join("; ") : error.message}`);
      failures++;
    }
  }
}

const notChecked = [...skipped].map(([k, n]) => `${n} ${k}`).join(", ");
console.log(`${files.join(", ")}: ${checked} document(s) valid against their schemas${notChecked ? `; not schema-checked: ${notChecked}` : ""}${failures ? `; ${failures} INVALID` : ""}`);
process.exit(failures > 0 ? 1 : 0);

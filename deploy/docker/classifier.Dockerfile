# syntax=docker/dockerfile:1
# vegvision classifier worker: vegetable kind (ONNX model baked in from libs/classifier/models)
# Health endpoints (/healthz, /readyz, /metrics) on VEGVISION_PORT (8080). Build from the repository root:
#   docker build -f deploy/docker/classifier.Dockerfile -t vegvision-classifier .

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# >>> common stages: keep identical in every service Dockerfile (.ci/validate-deploy.sh checks)
# deps: production node_modules plus SWC (@swc-node/core, @swc/core: devDependencies), which
# tools/ts-loader compiles the TypeScript sources with; versions come from package-lock.json.
FROM ${NODE_IMAGE} AS deps
ARG TARGETARCH
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
COPY package.json package-lock.json ./
COPY deploy/docker/promote-runtime-deps.js deploy/docker/
# onnxruntime-node ships binaries for every OS: keep linux/<this arch> only.
RUN node deploy/docker/promote-runtime-deps.js \
 && npm ci --omit=dev \
 && ort=node_modules/onnxruntime-node/bin/napi-v6 \
 && arch="$([ "${TARGETARCH:-amd64}" = "arm64" ] && echo arm64 || echo x64)" \
 && rm -rf "$ort/darwin" "$ort/win32" \
 && find "$ort/linux" -mindepth 1 -maxdepth 1 ! -name "$arch" -exec rm -rf {} + \
 && npm cache clean --force

# runtime-base: sources (run as-is through tools/ts-loader), read-only for the app user.
FROM ${NODE_IMAGE} AS runtime-base
ENV NODE_ENV=production \
    VEGVISION_MODE=distributed \
    VEGVISION_HOST=0.0.0.0 \
    VEGVISION_PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.base.json tsconfig.json ./
COPY libs ./libs
COPY tools/ts-loader ./tools/ts-loader
COPY deploy/docker/healthcheck.js deploy/docker/migrate.js deploy/docker/migrate.ts ./deploy/docker/
# uid 1000 is the node image's "node" user; numeric so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.js"]
# <<< common stages

FROM runtime-base AS classifier
# The shipped models (libs/classifier/models) came in with libs/ above.
COPY services/classifier ./services/classifier
# The vegvision CLI too: the Helm relabel Job runs `vegvision relabel --model <version>` in this image.
COPY services/vegvision ./services/vegvision
# Every source compiled once at build time (tools/ts-loader's cache): no start loads SWC.
USER 0:0
RUN node tools/ts-loader/warm.js libs services deploy/docker
USER 1000:1000
LABEL org.opencontainers.image.title="vegvision-classifier" \
      org.opencontainers.image.description="classifier worker: vegetable kind (ONNX model baked in from libs/classifier/models)" \
      org.opencontainers.image.licenses="Apache-2.0"
CMD ["node", "services/classifier/bin/classifier.js"]

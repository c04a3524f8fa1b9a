# syntax=docker/dockerfile:1
# vegvision web console: the Angular build (npm run console:build -> frontend/dist/browser)
# served by unprivileged nginx on 8080, proxying /api to the api service
# (VEGVISION_API_UPSTREAM, default http://api:8080). Build from the repository root:
#   docker build -f deploy/docker/console.Dockerfile -t vegvision-console .

ARG NODE_IMAGE=node:20.20.2-bookworm-slim
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.28-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
COPY package.json package-lock.json ./
# The Angular toolchain is in the dev dependencies; native install scripts are not needed here.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run console:build \
 && test -f frontend/dist/browser/index.html

FROM ${NGINX_IMAGE} AS console
# The nginx image's entrypoint renders /etc/nginx/templates/*.template into /etc/nginx/conf.d
# with envsubst (only variables named in NGINX_ENVSUBST_FILTER are substituted).
ENV VEGVISION_API_UPSTREAM=http://api:8080 \
    VEGVISION_CONSOLE_MAX_BODY=26m \
    NGINX_ENVSUBST_FILTER=^VEGVISION_
COPY deploy/docker/console-nginx.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/frontend/dist/browser /usr/share/nginx/html
# uid 101: the nginx user of nginx-unprivileged.
USER 101
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
LABEL org.opencontainers.image.title="vegvision-console" \
      org.opencontainers.image.description="vegvision web console (nginx)" \
      org.opencontainers.image.licenses="Apache-2.0"

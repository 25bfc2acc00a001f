# One recipe for every app of the monorepo; APP picks what the image runs:
#   docker build --build-arg APP=tickets -t helpdesk-tickets .     (identity | tickets | forms | inbox | gateway)
# Every image carries the builds of all apps and scripts/, so any of them can run the one-shot
# migration and demo seed (see the `migrate` service in docker-compose.yml):
#   docker run --rm -e DATABASE_URL=... -e REDIS_URL=... -e NATS_URL=... helpdesk-tickets \
#     sh -c 'node scripts/migrate.mjs && node scripts/seed.mjs'
# Only APP differs between the images, and it is declared last: the five builds share every layer.
# No BuildKit-only syntax (RUN --mount, COPY --link/--parents), so the classic builder used by
# docker-compose v1 builds it too.

# Debian (glibc), not alpine: argon2 and @swc/core ship prebuilt glibc binaries.
ARG NODE_IMAGE=node:20-bookworm-slim
# The npm named in package.json "packageManager", the one package-lock.json is made with.
# npm 11 runs no dependency install scripts; argon2 loads its bundled prebuild at run time.
ARG NPM_VERSION=11.19.1

FROM ${NODE_IMAGE} AS base
ARG NPM_VERSION
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
RUN npm install -g "npm@${NPM_VERSION}" && npm cache clean --force
WORKDIR /app

# The lockfile and every workspace's package.json at its own path, nothing else: the `npm ci`
# layers below stay cached until a manifest changes, and a new workspace needs no edit here.
FROM base AS manifests
COPY . /src
RUN cd /src \
 && cp package-lock.json .npmrc /app/ \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents '{}' /app/ ';'

# Full install (dev dependencies included) and `turbo run build` of every workspace.
FROM base AS build
ENV TURBO_TELEMETRY_DISABLED=1
COPY --from=manifests /app/ ./
RUN npm ci
COPY . .
# Then collect what the runtime needs of each workspace: its build output and, where it has them,
# its templates and static files (the gateway's views), plus the root scripts (migrate, seed).
RUN npx turbo run build --output-logs=errors-only \
 && mkdir -p /out \
 && for ws in apps/* libs/*; do \
      for part in dist views public; do \
        if [ -d "$ws/$part" ]; then mkdir -p "/out/$ws" && cp -R "$ws/$part" "/out/$ws/"; fi; \
      done; \
    done \
 && cp -R scripts /out/

# Production dependencies only, the builds on top, owned by root and run as the unprivileged
# `node` user, who may write only var/ (mail written as .eml files when SMTP_URL is unset).
FROM base AS runtime
ENV NODE_ENV=production
COPY --from=manifests /app/ ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /out/ ./
RUN mkdir -p var && chown node:node var
USER node

ARG APP
RUN if [ -z "$APP" ] || [ ! -f "apps/$APP/dist/main.js" ]; then \
      echo "Build with --build-arg APP=<one of: $(ls apps | tr '\n' ' ')>" >&2; exit 1; \
    fi
ENV APP=${APP}
# Exec form cannot expand variables, so a shell expands APP and then `exec`s node: node becomes
# the process that receives SIGTERM and shuts down gracefully (compose adds `init: true` as PID 1).
CMD ["/bin/sh", "-c", "exec node \"apps/$APP/dist/main.js\""]

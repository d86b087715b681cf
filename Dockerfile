# llmbench serve: the dashboard and the API (docs/serve.md). Untested here: no Docker engine runs on
# the machine this was written on. It installs and builds with the commands CI runs (.ci/run).
FROM node:20-slim
WORKDIR /app
COPY . .
# npm ci runs the prepare script, npm run build: TypeScript and the report viewer.
RUN npm ci --no-audit --no-fund \
 && mkdir -p /data /config && chown node /data
COPY docker/llmbench.config.json /config/llmbench.config.json
USER node
ENV NODE_ENV=production LLMBENCH_STORE=/data/history
VOLUME /data
EXPOSE 8085
# Off loopback the server needs its access token: set LLMBENCH_SERVE_TOKEN (it refuses to start without).
CMD ["node", "bin/llmbench.js", "serve", "--host", "0.0.0.0", "--config", "/config/llmbench.config.json"]

# The image the Kubernetes pods run (deploy/kubernetes/run.sh): the project built in /app, configs
# included. Build and push it, then name it in PROBELAB_IMAGE:
#   docker build -t registry.example.org/lab/probelab:1 .
#   docker push registry.example.org/lab/probelab:1
#   PROBELAB_IMAGE=registry.example.org/lab/probelab:1 deploy/kubernetes/run.sh
FROM node:20-slim
WORKDIR /app
# Dependencies first: a change to the sources alone reuses this layer.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build
CMD ["node", "dist/src/cli.js", "--help"]

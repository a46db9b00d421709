FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY jobs ./jobs
COPY migrations ./migrations
COPY feeds.config.json tsconfig.json ./
USER node
EXPOSE 8080
CMD ["node", "bin/tidings.mjs", "serve"]

# Build stage: compile the TypeScript sources to dist/ (npm run build).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY src ./src
COPY jobs ./jobs
COPY migrations ./migrations
RUN npm run build

# Runtime: production dependencies and the compiled service only (bin/entry.mjs runs dist/).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY feeds.config.json ./
USER node
EXPOSE 8080
CMD ["node", "--max-semi-space-size=4", "bin/tidings.mjs", "serve"]

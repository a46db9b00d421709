/**
 * The dependency rules of docs/architecture.md ("Dependency rules"), enforced by
 * `npm run lint`. A rule names what a folder must not import; db/schema.ts (the tables'
 * row types) and model.ts (the shapes passed between stages) may be imported anywhere.
 */
const layer = (folder) => `^src/${folder}/`;
const forbid = (name, comment, from, to, extra = {}) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to, ...extra } });

module.exports = {
  forbidden: [
    forbid(
      'store-is-sql-only',
      'store/ holds the SQL: it imports db/, model.ts, errors.ts, text/ and itself only',
      layer('store'),
      '^src/(ingest|dedupe|render|admin|http|config)/|^src/(app-context|main|cli|scheduler)\\.ts$|^src/cli/',
    ),
    forbid(
      'db-stands-alone',
      'db/ opens databases; it knows no other layer',
      layer('db'),
      '^src/(store|ingest|dedupe|render|admin|http|text)/|^src/(app-context|main|cli|scheduler)\\.ts$|^src/cli/',
    ),
    forbid(
      'dedupe-is-pure',
      'dedupe/ decides from signatures: no I/O, no other stage',
      layer('dedupe'),
      '^src/(store|db|ingest|render|admin|http|config)/|^src/(app-context|main|cli|scheduler)\\.ts$|^src/cli/',
    ),
    forbid('text-is-pure', 'text/ holds plain text functions any layer may use', layer('text'), '^src/(?!text/)'),
    forbid(
      'fetch-and-parse-are-stages',
      'the fetch and parse stages know nothing of storage or output',
      '^src/ingest/(fetch|parse)/',
      '^src/(store|db|render|admin|http|dedupe)/|^src/(app-context|main|cli|scheduler)\\.ts$|^src/cli/',
    ),
    forbid(
      'render-takes-values',
      'render/ writes documents from values it is given',
      layer('render'),
      '^src/(store|ingest|admin|http)/|^src/db/(?!schema\\.ts$)|^src/(app-context|main|cli|scheduler)\\.ts$|^src/cli/',
    ),
    forbid(
      'websub-below-http',
      'websub/ builds and judges WebSub requests (pings, verifications, deliveries); the routes and jobs call it',
      layer('websub'),
      '^src/(http|admin|dedupe)/|^src/db/(?!schema\\.ts$)|^src/(main|cli|scheduler)\\.ts$|^src/cli/',
    ),
    forbid(
      'admin-below-http',
      'admin/ use-cases are shared by the HTTP API, the page and the CLI',
      layer('admin'),
      '^src/http/|^src/(main|cli)\\.ts$|^src/cli/',
    ),
    forbid('jobs-at-the-edge', 'src/ reaches jobs/ only from main.ts and cli.ts (they pass jobs down as functions)', '^src/(?!(main|cli)\\.ts$)', '^jobs/'),
    forbid('jobs-not-from-http', 'jobs run over the app context, never over HTTP code', '^jobs/', '^src/(http/|main\\.ts$|cli\\.ts$|cli/)'),
    forbid('no-test-or-bench-in-code', 'shipped code never imports tests, the bench or scripts', '^(src|jobs|migrations)/', '^(test|bench|scripts)/'),
    {
      name: 'no-circular',
      comment: 'cycles make the load order and the layers unclear',
      severity: 'error',
      from: { path: '^(src|jobs)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|test/fixtures)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.json'],
    },
  },
};

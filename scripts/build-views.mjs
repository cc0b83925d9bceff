// The widgets' views, bundled by esbuild: each view (a folder of
// ganga_widgets/widgets/static/ with an index.js: job/, table/) and every module it imports,
// as one minified ES module, ganga_widgets/widgets/bundles/<view>.js, the string anywidget
// loads. Its source map is written beside it for developers, with no sourceMappingURL
// comment: the comm never carries the map, so the browser could not fetch it.
//
// The bundles are committed, so installing the package and running the demo need no Node;
// the test command runs --check, which fails naming each stale bundle.
//
// Usage: node scripts/build-views.mjs            write the bundles (also: npm run build)
//        node scripts/build-views.mjs --check    exit 1 if a committed bundle is not what
//                                                the views build to now
import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const STATIC = join(ROOT, "ganga_widgets/widgets/static");
const BUNDLES = join(ROOT, "ganga_widgets/widgets/bundles");

const views = Object.fromEntries(
  readdirSync(STATIC, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(STATIC, d.name, "index.js")))
    .map((d) => [d.name, join(STATIC, d.name, "index.js")]),
);

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: views,
  outdir: BUNDLES,
  bundle: true,
  format: "esm",
  minify: true,
  // what JupyterLab 4, Notebook 7, marimo and Voilà run in
  target: "es2020",
  charset: "utf8",
  // the sources are in the package beside the bundles: the map names them, not copies
  sourcemap: "external",
  sourcesContent: false,
  write: false,
  logLevel: "warning",
});

const check = process.argv.includes("--check");
const stale = [];
for (const file of result.outputFiles) {
  const name = relative(ROOT, file.path);
  const committed = existsSync(file.path) ? readFileSync(file.path) : null;
  if (committed !== null && Buffer.compare(committed, file.contents) === 0) continue;
  if (check) {
    stale.push(committed === null ? `${name} is missing` : `${name} differs from a fresh build`);
  } else {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.contents);
    console.log(`wrote ${name}`);
  }
}
// a bundle of a view that is gone would still be shipped
const built = new Set(result.outputFiles.map((file) => file.path));
for (const name of existsSync(BUNDLES) ? readdirSync(BUNDLES) : []) {
  if (built.has(join(BUNDLES, name))) continue;
  if (check) {
    stale.push(`${relative(ROOT, join(BUNDLES, name))} is built from no view`);
  } else {
    rmSync(join(BUNDLES, name));
    console.log(`removed ${relative(ROOT, join(BUNDLES, name))}`);
  }
}
if (stale.length) {
  for (const what of stale) console.error(`stale: ${what}`);
  console.error("run `npm run build` (node scripts/build-views.mjs) and commit the bundles");
  process.exit(1);
}

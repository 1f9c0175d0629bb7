"""Sentence-encoder re-rank grid (docs/benchmarks.md "Sentence-encoder re-rank (issue 7)").

Over the dumped index of run.sh (rank.py's bots and queries), the lexical top 20 of each English
question re-ordered by  score / best score + w × sim,  sim from USE-lite embeddings of the
question, the chunk's text and its document's title (a title with a letter or digit):
  how = text | title | max | mean ((text + title) / 2) | aN (N × title + (1 − N) × text)
  k   = also the k most similar chunks of the whole bot as candidates (0: lexical top 20 only)
Parameters are chosen on half 0 (criterion: the smallest margin over the issue's targets on
half 0, then the sum of margins) and read on half 1. Prints recall@1 half 0 / half 1 (all) and
recall@5 per set; with 'guard': [1] also the guard features of guard.py.

  python3 sentence.py OUT ENCODER_BIN MODEL "{'how': ['mean'], 'w': [1, 2, 3]}"

ENCODER_BIN is bench_sentence_encoder (its --embed mode; the embeddings are written once to
OUT/use.f32 with the keys in OUT/use_keys.json). Standard library only.
"""
import itertools, json, os, struct, subprocess, sys, unicodedata

OUT, ENCODER_BIN, MODEL = sys.argv[1], sys.argv[2], sys.argv[3]
GRID = eval(sys.argv[4]) if len(sys.argv) > 4 else {}
sys.argv = sys.argv[:2]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rank  # noqa: E402

TARGETS = {'covid-faq (en)': 0.60, 'xquad (en)': 0.95, 'mozilla-faq answers-only (en)': 0.55}
DIMS = 512


def has_title(title):
    return any(unicodedata.category(ch)[0] in 'LN' for ch in title)


def embeddings():
    """{key: vector} for every English chunk, titled chunk and question; embedded once."""
    keys_path, f32_path = f'{OUT}/use_keys.json', f'{OUT}/use.f32'
    if not (os.path.exists(keys_path) and os.path.exists(f32_path)):
        texts, index, keys = [], {}, []

        def add(key, text):
            if text not in index:
                index[text] = len(texts)
                texts.append(text)
            keys.append([list(key), index[text]])
        for name, folder, lang in rank.SETS:
            if lang != 'en':
                continue
            for bot_name in ('eval ' + name, 'guard ' + name):
                if bot_name not in rank.B:
                    continue
                b = rank.B[bot_name]
                title = {d['id']: d['title'] for d in b['docs']}
                for c in b['chunks']:
                    add(('chunk', c['id']), c['text'])
                    if has_title(title[c['document_id']]):
                        add(('title', c['id']), title[c['document_id']])
            for q in rank.Q[f'{folder}/{lang}']:
                add(('q', f'{folder}/{lang}', q['id']), q['question'])
        with open(f'{OUT}/use_texts.json', 'w') as f:
            json.dump(texts, f)
        subprocess.run([ENCODER_BIN, MODEL, '--embed', f'{OUT}/use_texts.json', f32_path], check=True)
        with open(keys_path, 'w') as f:
            json.dump(keys, f)
    keys = json.load(open(keys_path))
    raw = open(f32_path, 'rb').read()
    vectors = [struct.unpack_from(f'<{DIMS}f', raw, i * DIMS * 4) for i in range(len(raw) // (DIMS * 4))]
    return {tuple(k if not isinstance(k, list) else k for k in key): vectors[i] for key, i in keys}


E = {tuple(k): v for k, v in embeddings().items()}


def dot(a, b):
    return sum(map(float.__mul__, a, b))


CACHE = {}


def sim(folder_lang, q, c, how):
    key = (q['id'], c['id'], how)
    if key in CACHE:
        return CACHE[key]
    qv = E[('q', folder_lang, q['id'])]
    st = dot(qv, E[('chunk', c['id'])])
    tv = E.get(('title', c['id']))
    sh = dot(qv, tv) if tv else st
    if how == 'text':
        s = st
    elif how == 'title':
        s = sh
    elif how == 'max':
        s = max(st, sh)
    elif how.startswith('a'):
        a = float(how[1:])
        s = a * sh + (1 - a) * st
    else:  # mean: what the product ships
        s = (st + sh) / 2
    CACHE[key] = s
    return s


def search(bot, q, fl, P):
    res = bot.search(q, {})
    w = P.get('w', 0)
    if bot.lang != 'en' or not w:
        return [(s, s, 0.0, c) for s, c in res]
    top = res[0][0] if res else 1.0
    lex = {c['id']: s for s, c in res}
    cands = {c['id']: c for s, c in res}
    if P.get('k'):  # hybrid: also the k best chunks by similarity over the whole bot
        for c in sorted(bot.chunks, key=lambda c: -sim(fl, q, c, P['how']))[:P['k']]:
            cands[c['id']] = c
    out = []
    for cid, c in cands.items():
        s = lex.get(cid, 0.0)
        x = sim(fl, q, c, P['how'])
        out.append(((s / top if top else 0) + w * x, s, x, c))
    # Ties keep the lexical order (the product's stable sort); the rest by document order.
    order = {c['id']: i for i, (s, c) in enumerate(res)}
    out.sort(key=lambda r: (-r[0], order.get(r[3]['id'], len(order)), bot.docorder[r[3]['document_id']],
                            r[3]['ordinal']))
    return out


def evaluate(P):
    out = {}
    for name, folder, lang in rank.SETS:
        if lang != 'en':
            continue
        if name not in rank.CACHE:
            rank.CACHE[name] = rank.Bot('eval ' + name, folder, lang)
        bot = rank.CACHE[name]
        fl = f'{folder}/{lang}'
        hits, nn, top5 = [0, 0], [0, 0], [0, 0]
        for q in rank.Q[fl]:
            ranked = []
            for r in search(bot, q, fl, P):
                d = bot.docid[r[3]['document_id']]
                if d not in ranked:
                    ranked.append(d)
            h = rank.half(q['id'])
            nn[h] += 1
            hits[h] += bool(ranked) and ranked[0] in q['gold']
            top5[h] += any(d in q['gold'] for d in ranked[:5])
        out[name] = (hits[0] / nn[0], hits[1] / nn[1], (hits[0] + hits[1]) / (nn[0] + nn[1]),
                     (top5[0] + top5[1]) / (nn[0] + nn[1]))
    return out


def margins(out, half=0):
    m = [out[n][half] - t for n, t in TARGETS.items() if n in out]
    return (min(m), sum(m)) if m else (0, 0)


results = []
for values in itertools.product(*[GRID[k] for k in GRID]):
    P = dict(zip(GRID, values))
    out = evaluate(P)
    results.append((margins(out), P, out))
    print(P, ' | '.join(f'{n.replace("mozilla-faq answers-only", "ans-only")} {v[0]:.3f}/{v[1]:.3f} ({v[2]:.3f}) '
                        f'r5 {v[3]:.3f}' for n, v in out.items()),
          f'| half-0 margins min {margins(out)[0]:+.3f} sum {margins(out)[1]:+.3f}', flush=True)
if len(results) > 1:
    top = max(r[0] for r in results)
    for margin, P, out in results:
        if margin == top:  # every setting tied at the best half-0 criterion
            print('half-0 winner:', P, '| half 1:', ' | '.join(f'{n} {v[1]:.3f}' for n, v in out.items()), flush=True)

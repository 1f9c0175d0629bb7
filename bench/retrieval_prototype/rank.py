"""Ranking prototype: SearchKnowledge's ranking (kSearch, V007) re-implemented over dump.py's
output, with the variants measured for issue 7 (docs/benchmarks.md "Lexical ideas measured").

Usage: python3 rank.py OUT_DIR "GRID"
GRID is a Python dict of parameter -> list of values; every combination is printed with recall@1
on half 0 (tuning) / half 1 (held out) of each dataset (half: MD5 of the question id mod 2, as
bench_retrieval's half_of()) and the tuning criterion (mean half-0 recall@1 of COVID, XQuAD en,
XQuAD ru). With {} it prints the shipped ranking, which matches bench_retrieval's BM25F column.
Parameters (defaults = the shipped ranking):
  k1 (1.2), b (0.75)  word BM25F; ncand (20) candidates of the 4-gram stage; gw (0.7) its weight
  tg     add tg * the 4-gram BM25 of the query against the document title alone
  coord  multiply by (idf share of the query's lexemes found in the chunk) ** coord
  title  add title * (idf sum of the query's lexemes found in the document title)
  bigram add bigram * (min idf of each adjacent query lexeme pair found within win positions)
  rrf    reciprocal rank fusion k of the word order and the 4-gram order (weight w2)
  wn     WordNet expansion config (wordnet.py's OUT_DIR/wordnet.json key), weight alpha (en only);
         stop words are expanded only with stopexp
Standard library only.
"""
import hashlib, itertools, json, math, os, re, sys
from collections import defaultdict

OUT = sys.argv[1]
DATA = os.environ.get('DATA', '../shared/data')
B = json.load(open(f'{OUT}/bots.json'))
Q = json.load(open(f'{OUT}/queries.json'))
WN = json.load(open(f'{OUT}/wordnet.json')) if os.path.exists(f'{OUT}/wordnet.json') else None
STOP = set(WN['stop']) if WN else set()
SETS = [('covid-faq (en)', 'covid-faq-deepset', 'en'), ('xquad (en)', 'xquad-en-ru', 'en'),
        ('xquad (ru)', 'xquad-en-ru', 'ru'), ('mozilla-faq answers-only (en)', 'mozilla-faq', 'en'),
        ('mozilla-faq answers-only (ru)', 'mozilla-faq', 'ru'),
        ('mozilla-faq answers-only (uz)', 'mozilla-faq', 'uz')]


def title_grams(title):
    """registry.char_grams() of a title (no Uzbek folding: en/ru only): {gram: count}."""
    t = ' ' + re.sub(r'[^\w]+|_', ' ', title.lower().replace('ё', 'е')).strip() + ' '
    out = defaultdict(int)
    for i in range(len(t) - 3):
        out[t[i:i + 4]] += 1
    return out


def half(qid):
    return int(hashlib.md5(qid.encode()).hexdigest(), 16) % 2


def raw_words(question):
    out = []
    for w in re.findall(r"[^\W_]+", question.lower()):
        if len(w) >= 2 and w not in out:
            out.append(w)
    return out[:32]


class Bot:
    def __init__(self, name, folder, lang, every=1):
        b = B[name]
        ds = [json.loads(line) for line in open(f'{DATA}/{folder}/docs.jsonl')]
        ds = [d for d in ds if d['lang'] == lang][::every]
        self.docid = {d['id']: x['id'] for d, x in zip(b['docs'], ds)}
        self.docorder = {d['id']: i for i, d in enumerate(b['docs'])}
        self.title = {d['id']: d['title'] for d in b['docs']}
        self.chunks = b['chunks']
        self.byid = {c['id']: c for c in self.chunks}
        self.N = len(self.chunks)
        self.avg_len = max(sum(c['term_count'] for c in self.chunks) / self.N, 1)
        self.avg_grams = max(sum(c['gram_count'] for c in self.chunks) / self.N, 1)
        self.post, self.gdf = defaultdict(list), defaultdict(int)
        for c in self.chunks:
            for t, tf in (c['terms'] or {}).items():
                self.post[t].append((c, tf))
            for g in c['grams']:
                self.gdf[g] += 1
            c['_pos'], c['_title'] = {}, set()
            c['_tgrams'] = title_grams(self.title[c['document_id']])
            for lex, ps, ws in c['tsv'] or []:
                c['_pos'][lex] = set(ps or [])
                if ws and 'A' in ws:
                    c['_title'].add(lex)
        self.lang = lang
        self.tgdf = defaultdict(int)
        for c in self.chunks:
            for g in c['_tgrams']:
                self.tgdf[g] += 1
        self.avg_tgrams = max(sum(sum(c['_tgrams'].values()) for c in self.chunks) / self.N, 1)

    def idf(self, df):
        return math.log(1 + (self.N - df + 0.5) / (df + 0.5))

    def gram_score(self, c, q):
        s = 0.0
        for g in q['grams']:
            tf = c['grams'].get(g)
            if tf is None or self.gdf.get(g, 0) <= 0:
                continue
            s += self.idf(self.gdf[g]) * tf * 2.2 / (
                tf + 1.2 * (0.25 + 0.75 * c['gram_count'] / self.avg_grams))
        return s

    def search(self, q, P):
        k1, b = P.get('k1', 1.2), P.get('b', 0.75)
        weighted = [(w, 1.0) for w in q['words']]
        if P.get('wn') and self.lang == 'en':
            exp = {}
            for w in raw_words(q['question']):
                if w in STOP and not P.get('stopexp'):
                    continue  # a stop word ("us") is not expanded unless stopexp
                for lx in WN[P['wn']].get(w, []):
                    if lx not in q['words']:
                        exp[lx] = P.get('alpha', 0.3)
            weighted += list(exp.items())
        sc, qidf = defaultdict(float), {}
        for w, wt in weighted:
            ps = self.post.get(w)
            if not ps:
                continue
            idf = self.idf(len(ps))
            if wt == 1.0:
                qidf[w] = idf
            for c, tf in ps:
                sc[c['id']] += wt * idf * tf * (k1 + 1) / (
                    tf + k1 * (1 - b + b * c['term_count'] / self.avg_len))
        cand = sorted(sc.items(), key=lambda x: (-x[1], x[0]))[:P.get('ncand', 20)]
        total_idf = sum(qidf.values()) or 1
        qp = sorted((p, lex) for lex, ps in q['pos'] for p in (ps or []))
        pairs = [(x[1], y[1]) for x, y in zip(qp, qp[1:]) if x[1] in qidf and y[1] in qidf and x[1] != y[1]]
        res = []
        for cid, s in cand:
            c = self.byid[cid]
            gs = self.gram_score(c, q)
            total = s + P.get('gw', 0.7) * gs
            if P.get('tg'):
                tl = sum(c['_tgrams'].values())
                for g in q['grams']:
                    tf = c['_tgrams'].get(g)
                    if tf:
                        total += P['tg'] * self.idf(self.tgdf[g]) * tf * 2.2 / (
                            tf + 1.2 * (0.25 + 0.75 * tl / self.avg_tgrams))
            if P.get('coord'):
                total *= (sum(v for w, v in qidf.items() if w in c['_pos']) / total_idf) ** P['coord']
            if P.get('title'):
                total += P['title'] * sum(v for w, v in qidf.items() if w in c['_title'])
            if P.get('bigram'):
                win = P.get('win', 1)
                for x, y in pairs:
                    px, py = c['_pos'].get(x, ()), c['_pos'].get(y, ())
                    if any(abs(i - j) <= win for i in px for j in py):
                        total += P['bigram'] * min(qidf[x], qidf[y])
            res.append([total, c, s, gs])
        if P.get('rrf'):
            by_word = sorted(res, key=lambda r: -r[2])
            by_gram = sorted(res, key=lambda r: -r[3])
            rw = {id(r[1]): i for i, r in enumerate(by_word)}
            rg = {id(r[1]): i for i, r in enumerate(by_gram)}
            for r in res:
                r[0] = 1 / (P['rrf'] + rw[id(r[1])]) + P.get('w2', 1) / (P['rrf'] + rg[id(r[1])])
        res.sort(key=lambda r: (-r[0], self.docorder[r[1]['document_id']], r[1]['ordinal']))
        return [(r[0], r[1]) for r in res]


CACHE = {}


def evaluate(P):
    out = {}
    for name, folder, lang in SETS:
        bot = CACHE.setdefault(name, None) or CACHE.__setitem__(name, Bot('eval ' + name, folder, lang)) or CACHE[name]
        hits, n = [0, 0], [0, 0]
        for q in Q[f'{folder}/{lang}']:
            ranked = []
            for s, c in bot.search(q, P):
                d = bot.docid[c['document_id']]
                if d not in ranked:
                    ranked.append(d)
            h = half(q['id'])
            n[h] += 1
            hits[h] += bool(ranked) and ranked[0] in q['gold']
        out[name] = (hits[0] / n[0], hits[1] / n[1], (hits[0] + hits[1]) / (n[0] + n[1]))
    return out


if __name__ == '__main__':
    grid = eval(sys.argv[2]) if len(sys.argv) > 2 else {}
    keys = list(grid)
    for values in itertools.product(*[grid[k] for k in keys]):
        P = dict(zip(keys, values))
        out = evaluate(P)
        crit = sum(out[n][0] for n in ['covid-faq (en)', 'xquad (en)', 'xquad (ru)']) / 3
        print(P, f'criterion {crit:.4f} |', ' | '.join(
            f'{n.replace("mozilla-faq answers-only", "ans-only")} {v[0]:.3f}/{v[1]:.3f} ({v[2]:.3f})'
            for n, v in out.items()), flush=True)

"""Word-vector re-rank prototype (docs/benchmarks.md "Word vectors"): SearchKnowledge's ranking
(rank.py) followed by a re-rank of its top 20 by a blend of the score and a similarity of word
vectors, and the same similarity as an out-of-knowledge guard feature.

Usage: python3 embed.py OUT_DIR VECTORS "GRID"   (after dump.py; VECTORS: the .bfwv file of
tools/word-vectors/convert.mjs, exactly what bot-registry loads)
GRID: a Python dict of parameter -> list of values, every combination printed like rank.py
(recall@1 half 0 / half 1 (all)) plus the guard's best balanced points. Parameters:
  mode  'mean' (cosine of the weighted mean vectors of question and chunk) or 'soft' (weighted
        mean over the question's words of the best cosine to a word of the chunk)
  w     blend: score / best score of the 20 + w * similarity (0 = the shipped ranking)
  a     SIF weight a / (a + p(word)), p from the word's frequency rank (Zipf)
  center  subtract a common vector before the cosine (mean mode): 'global' (the vocabulary's
        frequency-weighted mean), 'bot' (the bot's chunks' mean), 'cand' (the 20 candidates' mean)
  tw    the document title's words counted tw times in the chunk (0: text only)
English bots only (the vectors are English); other languages are left as ranked.
Standard library only.
"""
import itertools, json, math, os, re, struct, sys
from collections import defaultdict

OUT, VEC = sys.argv[1], sys.argv[2]
GRID = eval(sys.argv[3]) if len(sys.argv) > 3 else {}
sys.argv = sys.argv[:2]
import rank  # noqa: E402


def load_vectors(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'BFWV0001'
    dims, count, vbytes = struct.unpack_from('<III', data, 8)
    at, words = 20, []
    for _ in range(count):
        n = data[at]
        words.append(data[at + 1:at + 1 + n].decode())
        at += 1 + n
    scales = struct.unpack_from(f'<{count}f', data, at)
    at += 4 * count
    comps = struct.unpack_from(f'<{count * dims}b', data, at)
    vec = {w: [x * scales[i] for x in comps[i * dims:(i + 1) * dims]] for i, w in enumerate(words)}
    rankof = {w: i for i, w in enumerate(words)}
    return vec, rankof, count


VEC, RANK, V = load_vectors(VEC)
H = math.log(V) + 0.5772  # harmonic number: p(rank r) = 1 / ((r + 1) * H)


def words_of(text, cap=None):
    out = []
    for w in re.findall(r"[^\W_]+", text.lower()):
        if len(w) >= 2 and w not in out:
            out.append(w)
    return out[:cap] if cap else out


def weight(w, a):
    r = RANK.get(w)
    if r is None:
        return 0.0
    return a / (a + 1.0 / ((r + 1) * H))


def dot(x, y):
    return sum(map(float.__mul__, x, y))


def mean_vec(counts, a):
    acc = [0.0] * 100
    for w, n in counts.items():
        v = VEC.get(w)
        if v is None:
            continue
        k = n * weight(w, a)
        for i in range(100):
            acc[i] += k * v[i]
    norm = math.sqrt(dot(acc, acc))
    return [x / norm for x in acc] if norm else None


class Features:
    """Per bot: chunk word counts; per (question, chunk): the similarities, cached."""

    def __init__(self, bot):
        self.bot = bot
        self.counts = {}
        for c in bot.chunks:
            tc = defaultdict(int)
            for w in re.findall(r"[^\W_]+", c['text'].lower()):
                if len(w) >= 2:
                    tc[w] += 1
            self.counts[c['id']] = (tc, words_of(bot.title[c['document_id']]))
        self.cache = {}

    def chunk_counts(self, cid, tw):
        tc, title = self.counts[cid]
        if not tw:
            return tc
        out = dict(tc)
        for w in title:
            out[w] = out.get(w, 0) + tw
        return out

    def qvec(self, q, a):
        key = ('mean', q['id'], a)
        qv = self.cache.get(key)
        if qv is None:
            qv = self.cache[key] = mean_vec({w: 1 for w in words_of(q['question'], 32)}, a) or []
        return qv

    def cvec(self, cid, a, tw):
        ckey = ('cmean', cid, a, tw)
        cv = self.cache.get(ckey)
        if cv is None:
            cv = self.cache[ckey] = mean_vec(self.chunk_counts(cid, tw), a) or []
        return cv

    def center_of(self, how, a, tw, cids):
        if how == 'global':
            key = ('gc', a)
            if key not in self.cache:
                self.cache[key] = mean_vec({w: 1.0 / ((r + 1) * H) / weight(w, a) * a for w, r in RANK.items()}, a)
            return self.cache[key]
        if how == 'bot':
            key = ('bc', a, tw)
            if key not in self.cache:
                acc = [0.0] * 100
                for c in self.bot.chunks:
                    for i, x in enumerate(self.cvec(c['id'], a, tw) or [0.0] * 100):
                        acc[i] += x
                self.cache[key] = [x / len(self.bot.chunks) for x in acc]
            return self.cache[key]
        acc = [0.0] * 100
        for cid in cids:
            for i, x in enumerate(self.cvec(cid, a, tw) or [0.0] * 100):
                acc[i] += x
        return [x / len(cids) for x in acc]

    def mean(self, q, cid, a, tw, center=None, cids=()):
        qv, cv = self.qvec(q, a), self.cvec(cid, a, tw)
        if not qv or not cv:
            return 0.0
        if center:
            c0 = self.center_of(center, a, tw, cids)
            qv = [x - y for x, y in zip(qv, c0)]
            cv = [x - y for x, y in zip(cv, c0)]
            nq, nc = math.sqrt(dot(qv, qv)), math.sqrt(dot(cv, cv))
            return dot(qv, cv) / (nq * nc) if nq and nc else 0.0
        return dot(qv, cv)

    def soft(self, q, cid, a, tw):
        key = ('soft', q['id'], cid, a, tw)
        if key in self.cache:
            return self.cache[key]
        cw = [VEC[w] for w in self.chunk_counts(cid, tw) if w in VEC]
        num = den = 0.0
        for w in words_of(q['question'], 32):
            v = VEC.get(w)
            if v is None:
                continue
            k = weight(w, a)
            best = max((dot(v, x) for x in cw), default=0.0)
            num += k * best
            den += k
        s = self.cache[key] = num / den if den else 0.0
        return s


FEAT = {}


def features(bot):
    f = FEAT.get(id(bot))
    if f is None:
        f = FEAT[id(bot)] = Features(bot)
    return f


def search(bot, q, P):
    """rank.Bot.search's 20 (score, chunk), re-ranked; returns [(blend, score, sim, chunk)]."""
    res = bot.search(q, {})
    if not res:
        return []
    if bot.lang != 'en' or not P.get('w'):
        return [(s, s, 0.0, c) for s, c in res]
    qw = words_of(q['question'], 32)
    if 2 * sum(w in VEC for w in qw) < len(qw):
        return [(s, s, 0.0, c) for s, c in res]  # under half the words known: no re-rank (as the product)
    f = features(bot)
    top = res[0][0]
    out = []
    cids = [c['id'] for s, c in res]
    for s, c in res:
        if P.get('mode') == 'soft':
            sim = f.soft(q, c['id'], P.get('a', 1e-3), P.get('tw', 1))
        else:
            sim = f.mean(q, c['id'], P.get('a', 1e-3), P.get('tw', 1), P.get('center'), cids)
        out.append((s / top + P['w'] * sim, s, sim, c))
    out.sort(key=lambda r: (-r[0], bot.docorder[r[3]['document_id']], r[3]['ordinal']))
    return out


def evaluate(P):
    out = {}
    for name, folder, lang in rank.SETS:
        if os.environ.get('ONLY') and os.environ['ONLY'] not in name:
            continue
        if name not in rank.CACHE:
            rank.CACHE[name] = rank.Bot('eval ' + name, folder, lang)
        bot = rank.CACHE[name]
        hits, n, top5, mrr = [0, 0], [0, 0], [0, 0], [0.0, 0.0]
        for q in rank.Q[f'{folder}/{lang}']:
            ranked = []
            for r in search(bot, q, P):
                d = bot.docid[r[3]['document_id']]
                if d not in ranked:
                    ranked.append(d)
            h = rank.half(q['id'])
            n[h] += 1
            hits[h] += bool(ranked) and ranked[0] in q['gold']
            top5[h] += any(d in q['gold'] for d in ranked[:5])
            mrr[h] += next((1 / (i + 1) for i, d in enumerate(ranked[:5]) if d in q['gold']), 0)
        out[name] = (hits[0] / n[0], hits[1] / n[1], (hits[0] + hits[1]) / (n[0] + n[1]))
        EXTRA[name] = (top5[0] / n[0], top5[1] / n[1], mrr[0] / n[0], mrr[1] / n[1])
    return out


EXTRA = {}  # name -> recall@5 half 0, half 1, MRR@5 half 0, half 1 of the last evaluate()


GUARD = {}


def guard(P):
    """Best balanced point (largest min(uncovered refused, covered answered)) per feature, per
    half: threshold chosen on half 0, read on half 1."""
    res = {}
    for name, folder, lang in [('covid-faq (en)', 'covid-faq-deepset', 'en'), ('xquad (en)', 'xquad-en-ru', 'en'),
                               ('mozilla-faq answers-only (en)', 'mozilla-faq', 'en')]:
        if name not in GUARD:
            GUARD[name] = rank.Bot('guard ' + name, folder, lang, every=2)
        bot = GUARD[name]
        kept = set(bot.docid.values())
        rows = []
        for q in rank.Q[f'{folder}/{lang}']:
            r = search(bot, q, dict(P, w=P.get('w') or 1e-9))
            if r:
                blend, s, sim, c = r[0]
            else:
                s = sim = 0.0
            unknown_idf = bot.idf(0)
            smax = sum(2.2 * (bot.idf(len(bot.post[w])) if w in bot.post else unknown_idf) for w in q['words'])
            smax += 0.7 * sum(2.2 * (bot.idf(bot.gdf[g]) if bot.gdf.get(g) else unknown_idf) for g in q['grams'])
            norm = s / smax if smax else 0
            f = features(bot)
            cos = f.mean(q, c['id'], P.get('a', 1e-3), P.get('tw', 1)) if r else 0.0
            gcos = f.mean(q, c['id'], P.get('a', 1e-3), P.get('tw', 1), 'global') if r else 0.0
            rows.append(dict(covered=any(g in kept for g in q['gold']), half=rank.half(q['id']),
                             norm=norm, cos=cos, gcos=gcos, mix=norm + P.get('gb', 0.5) * cos,
                             gmix=norm + P.get('gb', 0.5) * gcos))
        if P.get('curve'):
            # The trade-off curve of the covid scenario: uncovered refused / covered answered (%),
            # half 0 | half 1, at the deciles of each feature on half 0.
            for feat in ['norm', 'cos']:
                vals = sorted(x[feat] for x in rows if x['half'] == 0)
                print(f'   curve {name} {feat}:', flush=True)
                for k in range(1, 10):
                    t = vals[len(vals) * k // 10]
                    cells = []
                    for hh in (0, 1):
                        cov = [x for x in rows if x['covered'] and x['half'] == hh]
                        unc = [x for x in rows if not x['covered'] and x['half'] == hh]
                        cells.append(f"{100 * sum(x[feat] < t for x in unc) / len(unc):.0f} / "
                                     f"{100 * sum(x[feat] >= t for x in cov) / len(cov):.0f}")
                    print(f'   | {t:.3f} | {cells[0]} | {cells[1]} |', flush=True)
        for feat in ['norm', 'cos', 'gcos', 'mix', 'gmix']:
            def point(half, t):
                cov = [x for x in rows if x['covered'] and x['half'] == half]
                unc = [x for x in rows if not x['covered'] and x['half'] == half]
                return min(sum(x[feat] < t for x in unc) / len(unc), sum(x[feat] >= t for x in cov) / len(cov))
            t0 = max(((point(0, t), t) for t in {x[feat] for x in rows if x['half'] == 0}))
            res[f'{name} {feat}'] = (t0[0], point(1, t0[1]), t0[1])
    return res


if __name__ == '__main__':
    keys = list(GRID)
    for values in itertools.product(*[GRID[k] for k in keys]):
        P = dict(zip(keys, values))
        out = evaluate(P)
        crit = sum(out[n][0] for n in ['covid-faq (en)', 'xquad (en)', 'xquad (ru)'] if n in out) / 3
        print(P, f'criterion {crit:.4f} |', ' | '.join(
            f'{n.replace("mozilla-faq answers-only", "ans-only")} {v[0]:.3f}/{v[1]:.3f} ({v[2]:.3f})'
            for n, v in out.items() if '(ru)' not in n and '(uz)' not in n), flush=True)
        if P.get('r5'):
            print('   recall@5 h0/h1, MRR@5 h0/h1:', ' | '.join(
                f'{n} {v[0]:.3f}/{v[1]:.3f}, {v[2]:.3f}/{v[3]:.3f}' for n, v in EXTRA.items()), flush=True)
        if P.get('guard'):
            for k, (h0, h1, t) in guard(P).items():
                print(f'   guard {k}: half 0 {h0:.3f} (t {t:.3f}) half 1 {h1:.3f}', flush=True)

"""Out-of-knowledge guard variants over the `guard ...` bots of a kept bench_retrieval database
(every other entry indexed; a question whose gold entries are all held out is uncovered).

Usage: python3 guard.py OUT_DIR   (after dump.py; imports rank.py's ranking)
For each feature of the best chunk, the best balanced point: the largest min(uncovered refused,
covered answered) over thresholds. Features: S, the score SearchKnowledge returns; norm, S over
the query's largest possible score (every query lexeme and 4-gram at saturation, k1 + 1 = 2.2,
with the idf of a word unknown to the bot at df = 0); margin, (S - S of the best chunk of
another document) / S.
"""
import json, sys
sys.argv = sys.argv[:2]
import rank

for name, folder, lang in [('covid-faq (en)', 'covid-faq-deepset', 'en'), ('xquad (en)', 'xquad-en-ru', 'en')]:
    bot = rank.Bot('guard ' + name, folder, lang, every=2)
    kept = set(bot.docid.values())
    rows = []
    for q in rank.Q[f'{folder}/{lang}']:
        r = bot.search(q, {})
        s = r[0][0] if r else 0
        s2 = next((x for x, c in r if c['document_id'] != r[0][1]['document_id']), 0) if r else 0
        unknown_idf = bot.idf(0)
        smax = sum(2.2 * (bot.idf(len(bot.post[w])) if w in bot.post else unknown_idf) for w in q['words'])
        smax += 0.7 * sum(2.2 * (bot.idf(bot.gdf[g]) if bot.gdf.get(g) else unknown_idf) for g in q['grams'])
        rows.append(dict(covered=any(g in kept for g in q['gold']), S=s, norm=s / smax if smax else 0,
                         margin=(s - s2) / s if s else 0))
    covered = [x for x in rows if x['covered']]
    uncovered = [x for x in rows if not x['covered']]
    for f in ['S', 'norm', 'margin']:
        best = max((min(sum(x[f] < t for x in uncovered) / len(uncovered),
                        sum(x[f] >= t for x in covered) / len(covered)), t) for t in {x[f] for x in rows})
        print(f'{name}: {f} best balanced point {best[0]:.3f} (threshold {best[1]:.3f})')

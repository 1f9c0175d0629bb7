"""How far can the answerer's gate go on what it sees? (docs/benchmarks.md "Out-of-knowledge
guard: the ceiling of the gate"). Reads the per-question dump of bench_answer_gate
(DUMP=/tmp/gate.jsonl bash bench/run_answer_gate.sh) and, over every scenario, searches linear
rules  answer iff sim + w2 × margin + w3 × norm + w4 × coverage ≥ t  where, for the chosen hit,
sim is the sentence-encoder similarity (0 when not reported), margin is sim minus the best
similarity of a hit from another document, norm is the normalized BM25F score and coverage the
share of the question's content stems in the chunk. Fitted on ALL questions (no held-out half):
an upper bound of what any threshold rule on these features reaches, not a tuned setting.
Prints, per scenario, the best rule for the COVID held-out scenario (balanced = min(covered
answered, uncovered refused)) and the shipped gate's cells; then why covered questions are
refused: how many of them have a wrong first hit.

  python3 bench/retrieval_prototype/gate.py /tmp/gate.jsonl

Standard library only.
"""
import itertools
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1])]
scenarios = sorted({r['scenario'] for r in rows})
covid_half = next(s for s in scenarios if s.startswith('covid-faq paraphrases'))


def features(r):
    hits = r['hits']
    sim = r['sim'] if r['semantic'] else 0.0
    others = [h['sim'] for h in hits[1:] if h['doc'] != hits[0]['doc']] if hits else []
    margin = sim - max(others) if others else sim
    return sim, margin, r['norm'], r['matched'] / max(1, r['query_terms'])


F = {id(r): features(r) for r in rows}


def cells(rule):
    out = []
    for s in scenarios:
        rs = [r for r in rows if r['scenario'] == s]
        cov = [r for r in rs if r['covered']]
        unc = [r for r in rs if not r['covered']]
        out.append((sum(rule(r) for r in cov) / len(cov), sum(rule(r) and r['right'] for r in cov) / len(cov),
                    sum(not rule(r) for r in unc) / len(unc)))
    return out


def show(name, cs):
    print(f'{name}: ' + '; '.join(f'{s[:40]}: answered {a * 100:.1f} (right {g * 100:.1f}) / refused {u * 100:.1f}'
                                  for s, (a, g, u) in zip(scenarios, cs)))


show('shipped gate', cells(lambda r: r['pass']))
best = None
for w2, w3, w4 in itertools.product([0, 0.5, 1, 2], [0, 0.5, 1, 2], [0, 0.25, 0.5, 1]):
    def score(r, w2=w2, w3=w3, w4=w4):
        f = F[id(r)]
        return f[0] + w2 * f[1] + w3 * f[2] + w4 * f[3] if r['any_hit'] else -9.0
    for t in (x / 100 for x in range(30, 200, 2)):
        cs = cells(lambda r: score(r) >= t)
        a, _, u = cs[scenarios.index(covid_half)]
        if best is None or min(a, u) > best[0]:
            best = (min(a, u), (w2, w3, w4, t), cs)
print(f'best linear rule for "{covid_half}": balanced {best[0] * 100:.1f} % with (w2, w3, w4, t) = {best[1]}')
show('  that rule everywhere', best[2])
for s in scenarios:
    missed = [r for r in rows if r['scenario'] == s and r['covered'] and not r['pass']]
    if missed:
        print(f'{s}: {len(missed)} covered questions refused, {sum(not r["right"] for r in missed)} of them '
              f'with a wrong first hit')

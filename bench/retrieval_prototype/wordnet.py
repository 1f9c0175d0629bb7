"""WordNet 3.0 synonyms for the query-expansion variant of rank.py (English only; measured, not
shipped: docs/benchmarks.md "Lexical ideas measured").

Usage: python3 wordnet.py DBNAME OUT_DIR   (needs Debian's wordnet-base: /usr/share/wordnet)
For every word of the English questions: its WordNet base form (morphy: the *.exc lists, then
the detachment rules of WordNet's morph(7WN)), the words of its first `senses` synsets per part
of speech and, with `deriv`, their derivationally related forms ('+' pointers), stemmed by
PostgreSQL's english configuration (the Snowball English stemmer, as the index). Writes
OUT_DIR/wordnet.json: {config: {word: [expansion lexemes not equal to the word's own]}, "stop":
[the question words that are stop words of the english configuration]}.
"""
import json, os, re, subprocess, sys

DB, OUT = sys.argv[1], sys.argv[2]
PORT = os.environ.get('PG_PORT', '5432')
WN = os.environ.get('WORDNET_DIR', '/usr/share/wordnet')
POS = ['noun', 'verb', 'adj', 'adv']
PTR_POS = {'n': 'noun', 'v': 'verb', 'a': 'adj', 's': 'adj', 'r': 'adv'}
RULES = {'noun': [('s', ''), ('ses', 's'), ('xes', 'x'), ('zes', 'z'), ('ches', 'ch'), ('shes', 'sh'),
                  ('men', 'man'), ('ies', 'y')],
         'verb': [('s', ''), ('ies', 'y'), ('es', 'e'), ('es', ''), ('ed', 'e'), ('ed', ''),
                  ('ing', 'e'), ('ing', '')],
         'adj': [('er', ''), ('est', ''), ('er', 'e'), ('est', 'e')], 'adv': []}
CONFIGS = {'lemma': dict(senses=0), 's1': dict(senses=1), 's1d': dict(senses=1, deriv=True),
           's2': dict(senses=2), 's1n': dict(senses=1, pos=['noun', 'adj'])}

index, exc = {p: {} for p in POS}, {p: {} for p in POS}
for p in POS:
    for line in open(f'{WN}/index.{p}', encoding='latin-1'):
        if line.startswith(' '):
            continue
        f = line.split()
        index[p][f[0]] = [int(o) for o in f[4 + int(f[3]) + 2:]]
    for line in open(f'{WN}/{p}.exc', encoding='latin-1'):
        f = line.split()
        exc[p].setdefault(f[0], f[1])
data = {p: open(f'{WN}/data.{p}', 'rb') for p in POS}


def morphy(w, p):
    if w in exc[p]:
        return [exc[p][w]]
    if w in index[p]:
        return [w]
    for a, b in RULES[p]:
        if w.endswith(a) and w[:len(w) - len(a)] + b in index[p]:
            return [w[:len(w) - len(a)] + b]
    return []


def synset(p, offset):
    data[p].seek(offset)
    f = data[p].readline().decode('latin-1').split('|')[0].split()
    n = int(f[3], 16)
    words = [re.sub(r'\(.*\)$', '', f[4 + 2 * i]).lower() for i in range(n)]
    i = 4 + 2 * n
    pointers = [f[i + 1 + 4 * k: i + 5 + 4 * k] for k in range(int(f[i]))]
    return words, pointers


def expand(word, senses=1, deriv=False, pos=POS):
    out = set()
    for p in pos:
        for lemma in morphy(word, p):
            out.add(lemma)
            for offset in index[p].get(lemma, [])[:senses]:
                words, pointers = synset(p, offset)
                out.update(words)
                for sym, o, pp, st in pointers if deriv else []:
                    if sym == '+' and int(st[2:], 16):
                        out.add(synset(PTR_POS[pp], int(o))[0][int(st[2:], 16) - 1])
    return out


def split(w):
    return w.replace('_', ' ').replace('-', ' ').replace('.', '').split()


questions = json.load(open(f'{OUT}/queries.json'))
words = {w for k, qs in questions.items() if k.endswith('/en') for q in qs
         for w in re.findall(r"[^\W_]+", q['question'].lower()) if len(w) >= 2}
expansions = {c: {w: expand(w, **kw) for w in words} for c, kw in CONFIGS.items()}
vocabulary = sorted(words | {x for e in expansions.values() for s in e.values() for w in s for x in split(w)})
out = subprocess.run(['psql', '-h', '127.0.0.1', '-p', PORT, '-U', 'postgres', '-d', DB, '-At'],
                     input="SELECT json_object_agg(w, tsvector_to_array(to_tsvector('english', w))) "
                           "FROM json_array_elements_text($x$" + json.dumps(vocabulary) + "$x$::json) w",
                     capture_output=True, text=True, check=True).stdout
stem = json.loads(out)
result = {c: {w: sorted({s for x in e[w] for y in split(x) for s in stem.get(y, [])} - set(stem.get(w, [])))
              for w in e} for c, e in expansions.items()}
result['stop'] = sorted(w for w in words if not stem.get(w))  # stop words of the english config
json.dump(result, open(f'{OUT}/wordnet.json', 'w'))
print('wordnet:', {c: sum(len(v) for v in r.values()) for c, r in result.items() if c != 'stop'}, 'expansion lexemes')

"""Dumps a database kept by `bench_retrieval --keep` for the ranking prototype (rank.py).

Usage: python3 dump.py DBNAME OUT_DIR   (PG_PORT from scripts/servers.sh's env; psql on PATH)
Writes OUT_DIR/bots.json (every bot: documents in insertion order, chunks with their postings
{lexeme: BM25F tf}, term_count, 4-gram vector and tsvector [lexeme, positions, weights]) and
OUT_DIR/queries.json (every question of DATA per language: its lexemes and 4-grams exactly as
registry's kSearch derives them, plus the lexeme positions). Standard library only.
"""
import json, os, re, subprocess, sys

DB, OUT = sys.argv[1], sys.argv[2]
PORT = os.environ.get('PG_PORT', '5432')
DATA = os.environ.get('DATA', '../shared/data')
CFG = {'en': 'english', 'ru': 'russian', 'uz': 'simple'}


def sql(text):
    out = subprocess.run(['psql', '-h', '127.0.0.1', '-p', PORT, '-U', 'postgres', '-d', DB, '-At',
                          '-v', 'ON_ERROR_STOP=1'], input=text, capture_output=True, text=True,
                         check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def query_words(question):
    """search_query.cpp's query_words() + join_words(): lower-cased, distinct, >= 2 code points."""
    out = []
    for w in re.findall(r"[^\W_]+", question.lower()):
        if len(w) >= 2 and w not in out:
            out.append(w)
    return ' '.join(out[:32])


bots = {}
for b in sql("SELECT row_to_json(b) FROM (SELECT id, name, language FROM registry.bots) b"):
    docs = sql(f"SELECT row_to_json(d) FROM (SELECT id, title FROM registry.documents "
               f"WHERE bot_id = '{b['id']}' ORDER BY created_at, id) d")
    chunks = sql(f"""SELECT row_to_json(c) FROM (SELECT c.id, c.document_id, c.ordinal,
      c.term_count, c.gram_count, c.grams, c.text,
      (SELECT json_object_agg(lexeme, tf) FROM registry.chunk_terms t WHERE t.chunk_id = c.id) AS terms,
      (SELECT json_agg(json_build_array(u.lexeme, u.positions, u.weights)) FROM unnest(c.tsv) u) AS tsv
      FROM registry.chunks c WHERE c.bot_id = '{b['id']}') c""")
    bots[b['name']] = {'language': b['language'], 'docs': docs, 'chunks': chunks}
json.dump(bots, open(f'{OUT}/bots.json', 'w'))

queries = {}
for folder in ['covid-faq-deepset', 'xquad-en-ru', 'mozilla-faq']:
    qs = [json.loads(line) for line in open(f'{DATA}/{folder}/questions.jsonl')]
    for lang in ['en', 'ru', 'uz']:
        sub = [x for x in qs if x['lang'] == lang]
        if not sub:
            continue
        payload = json.dumps([{'q': query_words(x['question'])} for x in sub])
        rows = sql(f"""SELECT json_build_object(
          'words', tsvector_to_array(to_tsvector('{CFG[lang]}', registry.search_text('{lang}', x->>'q'))),
          'pos', (SELECT json_agg(json_build_array(u.lexeme, u.positions)) FROM
                  unnest(to_tsvector('{CFG[lang]}', registry.search_text('{lang}', x->>'q'))) u),
          'grams', ARRAY(SELECT DISTINCT m[1] FROM generate_series(1, 4) r,
                   regexp_matches(substr(registry.gram_text('{lang}', x->>'q'), r), '....', 'g') m))
          FROM json_array_elements($x${payload}$x$::json) x""")
        for r, x in zip(rows, sub):
            r.update(id=x['id'], gold=x['gold_ids'], question=x['question'], pos=r['pos'] or [])
        queries[f'{folder}/{lang}'] = rows
json.dump(queries, open(f'{OUT}/queries.json', 'w'))
print(f'dump: {len(bots)} bots, {sum(len(v) for v in queries.values())} questions -> {OUT}')

-- Search text folding (docs/architecture.md "Knowledge and retrieval"). Uzbek Latin/Cyrillic
-- folding: an Uzbek bot's
-- chunks, titles and queries are indexed in the Latin script, so "маълумот" and "ma'lumot"
-- give the same lexemes. One direction, Cyrillic -> Latin, by the official Uzbek Latin
-- alphabet (Law of the Republic of Uzbekistan of 24 August 1995 "On introducing the Uzbek
-- alphabet based on the Latin script", as amended in 1995): а b в v г g д d е e/ye ё yo ж j з z
-- и i й y к k л l м m н n о o п p р r с s т t у u ф f х x ц s/ts ч ch ш sh щ sh ъ ʼ ь - э e
-- ю yu я ya ў oʻ қ q ғ gʻ ҳ h. е is "ye" at the start of a word and after a vowel, ц is "ts"
-- after a vowel. The apostrophe variants (ʻ U+02BB, ʼ U+02BC, ‘ U+2018, ’ U+2019, ` and ´)
-- become the ASCII ' : oʻ, o‘, o' and ў all read as o'. PostgreSQL's parser (and the query's
-- word reader) split a word at ', consistently on both sides, so "o'zbek" is indexed as
-- "o" + "zbek" whatever its spelling. Only the index is folded: the stored text is unchanged.
CREATE FUNCTION registry.uz_latin(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT translate(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
    replace(
      regexp_replace(regexp_replace(
        lower(translate(t,
          'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯЎҚҒҲʻʼ‘’`´',
          'абвгдеёжзийклмнопрстуфхцчшщъыьэюяўқғҳ''''''''''''')),
          -- U+0451 ё and the vowels that make a following е "ye" / ц "ts"
          '(^|[^а-яёўқғҳa-z''0-9]|[аеёиоуэюяўъь])е', '\1ye', 'g'),
        '([аеёиоуэюяў])ц', '\1ts', 'g'),
      'ё', 'yo'), 'ю', 'yu'), 'я', 'ya'), 'ч', 'ch'), 'ш', 'sh'), 'щ', 'sh'), 'ж', 'j'),
      'ў', 'o'''), 'ғ', 'g'''), 'ъ', ''''), 'ь', ''), 'ц', 's'),
    'абвгдезийклмнопрстуфхқҳэы', 'abvgdeziyklmnoprstufxqhei')
$$;

-- The text that goes into a chunk's tsvector (title and chunk text) and into a query, for a
-- bot language ('en' | 'ru' | 'uz'), before the language's text search configuration:
-- - uz: folded to Latin, then every word cut to its first 5 letters (a prefix stem: PostgreSQL
--   has no Uzbek stemmer and Uzbek piles suffixes on a stem: ma'lumot-lar-i-ni);
-- - ru: every word cut to its first 6 letters, then the Snowball stemmer (it leaves many
--   inflected forms apart: хранить / храним / хранение);
-- - en: unchanged (a prefix cut lowered the COVID FAQ's recall@1).
-- Measured with bench/run_retrieval.sh (docs/benchmarks.md "Knowledge retrieval"): recall@1
-- XQuAD ru 0.913 -> 0.926, Mozilla FAQ answers-only uz 0.211 -> 0.474 (5 letters; 4: 0.474,
-- 6: 0.421), ru 6 letters (5: 0.925 / 0.425, 7: 0.930 / 0.400 on XQuAD ru / answers-only ru).
CREATE FUNCTION registry.search_text(language text, t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE language
    WHEN 'uz' THEN regexp_replace(registry.uz_latin(t), '([a-z]{5})[a-z]+', '\1', 'g')
    WHEN 'ru' THEN regexp_replace(t, '([а-яёА-ЯЁ]{6})[а-яёА-ЯЁ]+', '\1', 'g')
    ELSE t END
$$;

-- Backfill: the Uzbek and Russian bots' chunks and their term index (V002).
UPDATE registry.chunks c
SET tsv = setweight(to_tsvector(cfg.name, registry.search_text(b.language, d.title)), 'A') ||
          setweight(to_tsvector(cfg.name, registry.search_text(b.language, c.text)), 'B')
FROM registry.documents d, registry.bots b,
     LATERAL (SELECT (CASE b.language WHEN 'ru' THEN 'russian' ELSE 'simple' END)::regconfig
              AS name) cfg
WHERE d.id = c.document_id AND b.id = c.bot_id AND b.language IN ('uz', 'ru');

DELETE FROM registry.chunk_terms t USING registry.bots b
WHERE b.id = t.bot_id AND b.language IN ('uz', 'ru');

INSERT INTO registry.chunk_terms (bot_id, lexeme, chunk_id, tf)
SELECT c.bot_id, u.lexeme, c.id, registry.bm25_tf(u.positions, u.weights)
FROM registry.chunks c JOIN registry.bots b ON b.id = c.bot_id, unnest(c.tsv) AS u
WHERE b.language IN ('uz', 'ru');

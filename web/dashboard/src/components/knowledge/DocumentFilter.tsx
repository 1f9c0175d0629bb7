// Finding a document in a long knowledge base: a search box over the document titles and the
// "Documents: 3 of 99" count. Shown from FILTER_FROM documents on (a seeded FAQ has ~100).

import { useTranslation } from "react-i18next";
import type { KnowledgeDocument } from "../../api/types";
import { formatNumber } from "../../format";

/** The filter box appears when the knowledge base has at least this many documents. */
export const FILTER_FROM = 8;

const fold = (s: string) => s.normalize("NFKC").toLocaleLowerCase();

/**
 * The documents whose title contains every word of `query`, in any order ("relay mask" finds
 * "What is a Relay email mask?"); case-insensitive, Unicode-normalised; all documents for "".
 */
export function filterDocuments(docs: KnowledgeDocument[], query: string): KnowledgeDocument[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return docs;
  return docs.filter((d) => {
    const title = fold(d.title);
    return words.every((w) => title.includes(w));
  });
}

/** The search box and the count of shown / all documents. */
export function DocumentFilter(props: { query: string; onChange: (q: string) => void; shown: number; count: number }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return (
    <div className="doc-filter" data-testid="doc-filter">
      <label className="doc-filter-box">
        <span className="sr-only">{t("knowledge.filter")}</span>
        <input type="search" name="doc-filter" value={props.query} placeholder={t("knowledge.filter")}
          onChange={(e) => props.onChange(e.target.value)} />
      </label>
      <span className="muted" role="status" data-testid="doc-count">
        {t("knowledge.shown", { shown: formatNumber(props.shown, lang), total: formatNumber(props.count, lang) })}
      </span>
    </div>
  );
}

// Saved replies (canned responses, docs/api.md "Canned responses"): the tenant's short texts
// that operators insert into an inbox reply with "/code". Everyone in the team sees and searches
// them; admins and the owner create, edit and delete (the server enforces it: 403 otherwise).

import { useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";
import { commitThen } from "../commit";
import {
  CONTENT_MAX, SHORT_CODE_MAX, canEditCanned, contentProblem, createCanned, deleteCanned, filterCanned,
  foldShortCode, listCanned, shortCodeProblem, updateCanned, type CannedResponse,
} from "../api/canned";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorMessage } from "../components/ErrorMessage";
import { describeError } from "../errors";
import { formatNumber } from "../format";
import { useLoad } from "../useLoad";

interface Draft { id: string | null; code: string; content: string }
const EMPTY: Draft = { id: null, code: "", content: "" };

export function CannedPage() {
  const { t, i18n } = useTranslation();
  const list = useLoad(() => listCanned(), []);
  const editable = canEditCanned();
  const [query, setQuery] = useState("");
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState("");
  const [deleting, setDeleting] = useState<CannedResponse | null>(null);

  const items = list.data?.canned_responses ?? [];
  const shown = useMemo(() => filterCanned(items, query), [items, query]);
  const codeIssue = shortCodeProblem(foldShortCode(draft.code));
  const contentIssue = contentProblem(draft.content);

  const failure = (err: unknown) => {
    if (err instanceof ApiError && err.code === "conflict") return t("canned.errors.duplicate", { code: foldShortCode(draft.code) });
    if (err instanceof ApiError && err.code === "canned_limit") return t("canned.errors.limit", { max: list.data?.max ?? 500 });
    return describeError(t, err);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setDone("");
    if (codeIssue || contentIssue) return;
    setBusy(true);
    setError(null);
    try {
      const code = foldShortCode(draft.code);
      if (draft.id) await updateCanned(draft.id, { short_code: code, content: draft.content });
      else await createCanned(code, draft.content);
      setDone(t(draft.id ? "canned.saved" : "canned.created", { code }));
      setDraft(EMPTY);
      setSubmitted(false);
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (c: CannedResponse) => {
    setBusy(true);
    setError(null);
    setDone("");
    try {
      await deleteCanned(c.id);
      if (draft.id === c.id) setDraft(EMPTY);
      setDone(t("canned.deleted", { code: c.short_code }));
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const edit = (c: CannedResponse) => {
    commitThen(() => {
      setDraft({ id: c.id, code: c.short_code, content: c.content });
      setSubmitted(false);
      setError(null);
      setDone("");
    }, () => document.getElementById("canned-code")?.focus());
  };

  const showCode = submitted && codeIssue;
  const showContent = submitted && contentIssue;
  return (
    <section>
      <h1>{t("canned.title")}</h1>
      <p className="muted lead">{t("canned.lead")}</p>
      <ErrorMessage error={list.error} />
      {!!list.error && <button className="button" onClick={list.reload}>{t("common.retry")}</button>}
      {done && <p className="ok" role="status" data-testid="canned-done">{done}</p>}
      {editable ? (
        <form className="card form" onSubmit={submit} noValidate data-testid="canned-form">
          <h2>{draft.id ? t("canned.editTitle") : t("canned.newTitle")}</h2>
          <label htmlFor="canned-code">{t("canned.shortCode")}</label>
          <div className="canned-code-input">
            <span aria-hidden="true">/</span>
            <input id="canned-code" name="short_code" value={draft.code} maxLength={SHORT_CODE_MAX + 1}
              autoComplete="off" spellCheck={false} aria-invalid={showCode ? true : undefined}
              aria-describedby={showCode ? "canned-code-error canned-code-hint" : "canned-code-hint"}
              onChange={(e) => setDraft({ ...draft, code: e.target.value })} data-testid="canned-code" />
          </div>
          <p className="hint" id="canned-code-hint">{t("canned.shortCodeHint", { max: SHORT_CODE_MAX })}</p>
          {showCode && <p className="error-text" id="canned-code-error" data-testid="canned-code-error">
            {codeIssue === "required" ? t("canned.invalid.code.required")
              : codeIssue === "tooLong" ? t("canned.invalid.code.tooLong", { max: SHORT_CODE_MAX })
              : t("canned.invalid.code.chars")}</p>}
          <label htmlFor="canned-content">{t("canned.content")}</label>
          <textarea id="canned-content" name="content" rows={4} value={draft.content}
            aria-invalid={showContent ? true : undefined}
            aria-describedby={showContent ? "canned-content-error canned-content-hint" : "canned-content-hint"}
            onChange={(e) => setDraft({ ...draft, content: e.target.value })} data-testid="canned-content" />
          <p className="hint" id="canned-content-hint">
            {t("canned.contentHint", { visitor: "{{visitor.name}}", bot: "{{bot.name}}", interpolation: { escapeValue: false } })}
            {" "}<span className="nowrap">{formatNumber([...draft.content].length, i18n.language)} / {formatNumber(CONTENT_MAX, i18n.language)}</span>
          </p>
          {showContent && <p className="error-text" id="canned-content-error" data-testid="canned-content-error">
            {contentIssue === "required" ? t("canned.invalid.content.required")
              : contentIssue === "tooLong" ? t("canned.invalid.content.tooLong", { max: formatNumber(CONTENT_MAX, i18n.language) })
              : t("canned.invalid.content.control")}</p>}
          {!!error && <p className="error" role="alert" data-testid="canned-error">{failure(error)}</p>}
          <div className="row">
            <button className="button" type="submit" disabled={busy} data-testid="canned-save">
              {busy ? t("common.working") : draft.id ? t("canned.saveChanges") : t("canned.create")}
            </button>
            {draft.id && (
              <button className="button secondary" type="button" disabled={busy}
                onClick={() => { setDraft(EMPTY); setSubmitted(false); setError(null); }}>
                {t("common.cancel")}
              </button>
            )}
          </div>
        </form>
      ) : (
        <>
          <p className="muted" data-testid="canned-readonly">{t("canned.readOnly")}</p>
          {!!error && <p className="error" role="alert">{failure(error)}</p>}
        </>
      )}
      <div className="card">
        <div className="canned-list-head">
          <h2>{t("canned.listTitle")}</h2>
          {list.data && (
            <span className="muted" data-testid="canned-count">
              {t("canned.count", { total: formatNumber(list.data.total, i18n.language), max: formatNumber(list.data.max, i18n.language) })}
            </span>
          )}
        </div>
        <label htmlFor="canned-search" className="sr-only">{t("canned.search")}</label>
        <input id="canned-search" type="search" value={query} placeholder={t("canned.searchPlaceholder")}
          onChange={(e) => setQuery(e.target.value)} data-testid="canned-search" />
        {list.loading && !list.data && <p className="muted" role="status">{t("common.loading")}</p>}
        {list.data && items.length === 0 && (
          <div className="canned-empty" data-testid="canned-empty">
            <p><strong>{t("canned.emptyTitle")}</strong></p>
            <p className="muted">{editable ? t("canned.emptyAdmin") : t("canned.emptyOperator")}</p>
          </div>
        )}
        {items.length > 0 && shown.length === 0 && (
          <p className="muted" role="status" data-testid="canned-no-match">{t("canned.noMatch", { query })}</p>
        )}
        {shown.length > 0 && (
          <ul className="canned-list" data-testid="canned-list">
            {shown.map((c) => (
              <li key={c.id} className="canned-item" data-testid="canned-row">
                <div className="canned-item-text">
                  <code className="canned-code">/{c.short_code}</code>
                  <p className="canned-content">{c.content}</p>
                </div>
                {editable && (
                  <div className="row canned-actions">
                    <button type="button" className="button secondary small" disabled={busy}
                      aria-label={t("canned.editOne", { code: c.short_code })} onClick={() => edit(c)}>
                      {t("canned.edit")}
                    </button>
                    <button type="button" className="button danger small" disabled={busy}
                      aria-label={t("canned.deleteOne", { code: c.short_code })} onClick={() => setDeleting(c)}>
                      {t("canned.delete")}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
      <ConfirmDialog open={deleting !== null} danger busy={busy}
        title={t("canned.deleteTitle", { code: deleting?.short_code ?? "" })} message={t("canned.deleteBody")}
        confirmLabel={t("canned.delete")}
        onConfirm={() => { const c = deleting; setDeleting(null); if (c) void remove(c); }}
        onCancel={() => setDeleting(null)} />
    </section>
  );
}

// A bot's knowledge base: upload files with a real progress bar (XMLHttpRequest upload events),
// paste text, list documents (size, chunks, status), delete with confirmation, and the plan's
// per-bot knowledge size allowance.

import { useEffect, useRef, useState, type DragEvent, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { addTextDocument, deleteDocument, getBot, getSubscription, listDocuments } from "../api/endpoints";
import type { KnowledgeDocument } from "../api/types";
import { uploadKnowledgeFile, type UploadPhase } from "../api/upload";
import { BotTabs } from "../components/BotTabs";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorMessage } from "../components/ErrorMessage";
import { Meter } from "../components/Meter";
import { DocumentFilter, FILTER_FROM, filterDocuments } from "../components/knowledge/DocumentFilter";
import { KNOWLEDGE_EXTENSIONS, knowledgeFileProblem } from "../components/knowledge/fileCheck";
import { describeError } from "../errors";
import { formatBytes, formatDateTime, formatNumber } from "../format";
import { useLoad } from "../useLoad";

/** The gateway's default ceiling of one knowledge upload (README: MAX_UPLOAD_BYTES). */
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;
const ACCEPT = `${KNOWLEDGE_EXTENSIONS.join(",")},text/plain,text/markdown,text/html,application/pdf`;

interface Upload {
  key: number;
  name: string;
  size: number;
  phase: UploadPhase | "done" | "failed";
  fraction: number;
  error?: unknown;
  /** A refusal decided in the browser (type, empty), already in the UI language. */
  problem?: string;
}

export function KnowledgePage({ botId }: { botId: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const bot = useLoad(() => getBot(botId), [botId]);
  const docs = useLoad(() => listDocuments(botId), [botId]);
  // While the meaning index is being built, look again every few seconds (bounded: only while a
  // document is pending and the page is open).
  const pending = !!docs.data?.some((d) => d.semantic_index === "pending");
  useEffect(() => {
    if (!pending) return;
    const timer = window.setTimeout(docs.reload, 4000);
    return () => window.clearTimeout(timer);
  }, [pending, docs.data, docs.reload]);
  const sub = useLoad(getSubscription, []);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const [doomed, setDoomed] = useState<KnowledgeDocument | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [paste, setPaste] = useState({ title: "", format: "text", body: "" });
  const [pasteBusy, setPasteBusy] = useState(false);
  const [pasteError, setPasteError] = useState<unknown>(null);
  const [pasteOk, setPasteOk] = useState(false);
  const [query, setQuery] = useState("");
  const nextKey = useRef(1);
  const fileInput = useRef<HTMLInputElement>(null);

  const patch = (key: number, change: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const uploadAll = async (files: File[]) => {
    const queued = files.map((f) => {
      const problem = knowledgeFileProblem(f);
      return {
        key: nextKey.current++, name: f.name, size: f.size, fraction: 0, file: f,
        phase: problem ? "failed" as const : "uploading" as const,
        problem: problem === "unsupported" ? t("knowledge.unsupportedFile") : problem === "empty" ? t("knowledge.emptyFile") : undefined,
      };
    });
    setUploads((list) => [...queued.map(({ file: _f, ...u }) => u), ...list]);
    for (const q of queued.filter((u) => !u.problem)) {  // one at a time: the server parses a bounded number at once
      try {
        const doc = await uploadKnowledgeFile(botId, q.file, q.file.name,
          (phase, fraction) => patch(q.key, { phase, fraction }));
        patch(q.key, { phase: "done", fraction: 1 });
        docs.setData((d) => [doc, ...(d ?? []).filter((x) => x.id !== doc.id)]);
      } catch (e) {
        patch(q.key, { phase: "failed", error: e });
      }
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer.files.length) void uploadAll([...e.dataTransfer.files]);
  };

  const submitPaste = async (e: FormEvent) => {
    e.preventDefault();
    setPasteBusy(true);
    setPasteError(null);
    setPasteOk(false);
    try {
      const doc = await addTextDocument(botId, paste.title.trim(), paste.format, paste.body);
      docs.setData((d) => [doc, ...(d ?? [])]);
      setPaste({ title: "", format: paste.format, body: "" });
      setPasteOk(true);
    } catch (err) {
      setPasteError(err);
    } finally {
      setPasteBusy(false);
    }
  };

  const confirmDelete = async () => {
    if (!doomed) return;
    setBusy(true);
    setError(null);
    try {
      await deleteDocument(botId, doomed.id);
      docs.setData((d) => d?.filter((x) => x.id !== doomed.id));
    } catch (e2) {
      setError(e2);
    } finally {
      setDoomed(null);
      setBusy(false);
    }
  };

  const shownDocs = filterDocuments(docs.data ?? [], query);
  const used = (docs.data ?? []).reduce((s, d) => s + d.size_bytes, 0);
  const max = sub.data?.plan.limits.max_knowledge_bytes;

  if (bot.error) return <ErrorMessage error={bot.error} context="bot" />;

  return (
    <section>
      <BotTabs botId={botId} current="knowledge" name={bot.data?.name} />
      <h1>{t("knowledge.title")}</h1>
      {max !== undefined && (
        <Meter label={t("knowledge.size")} value={used} max={max} testId="knowledge-meter"
          text={`${formatBytes(used, lang, t)} / ${formatBytes(max, lang, t)}`} />
      )}
      <div className="grid2 top-gap">
        <div className={`card dropzone${dragging ? " dragging" : ""}`}
          onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
          onDragLeave={() => setDragging(false)} onDrop={onDrop}>
          <h2>{t("knowledge.uploadTitle")}</h2>
          <p className="muted" data-testid="upload-hint">
            {t("knowledge.uploadHint", { size: formatBytes(Math.min(MAX_UPLOAD_BYTES, max ?? MAX_UPLOAD_BYTES), lang, t) })}
          </p>
          <input ref={fileInput} type="file" multiple accept={ACCEPT} className="sr-only" id="file-input"
            data-testid="file-input" tabIndex={-1} aria-label={t("knowledge.chooseFiles")}
            onChange={(e) => { const f = [...(e.target.files ?? [])]; e.target.value = ""; if (f.length) void uploadAll(f); }} />
          <button type="button" className="button" onClick={() => fileInput.current?.click()}>
            {t("knowledge.chooseFiles")}
          </button>
          <ul className="uploads" aria-live="polite">
            {uploads.map((u) => (
              <li key={u.key} className={`upload ${u.phase}`} data-testid="upload">
                <div className="row between">
                  <span className="upload-name">{u.name}</span>
                  <span className="muted">{formatBytes(u.size, lang, t)}</span>
                </div>
                {(u.phase === "uploading" || u.phase === "processing") && (
                  <div className="progress" role="progressbar" aria-label={t("knowledge.progress", { name: u.name })}
                    aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(u.fraction * 100)}>
                    <div className={`progress-fill${u.phase === "processing" ? " pulse" : ""}`}
                      style={{ width: `${Math.round(u.fraction * 100)}%` }} />
                  </div>
                )}
                <span className="upload-status">
                  {u.phase === "uploading" && t("knowledge.uploading", { percent: Math.round(u.fraction * 100) })}
                  {u.phase === "processing" && t("knowledge.processing")}
                  {u.phase === "done" && <span className="ok">{t("knowledge.uploaded")}</span>}
                  {u.phase === "failed" && <span className="error-text">{u.problem ?? describeError(t, u.error, "knowledge")}</span>}
                </span>
              </li>
            ))}
          </ul>
        </div>
        <form className="card form" onSubmit={submitPaste} data-testid="paste-form">
          <h2>{t("knowledge.pasteTitle")}</h2>
          <div className="grid2">
            <label>
              {t("knowledge.docTitle")}
              <input required maxLength={200} value={paste.title} name="title"
                onChange={(e) => setPaste({ ...paste, title: e.target.value })} />
            </label>
            <label>
              {t("knowledge.format")}
              <select value={paste.format} name="format" onChange={(e) => setPaste({ ...paste, format: e.target.value })}>
                {(["text", "markdown", "html"] as const).map((f) => <option key={f} value={f}>{t(`formats.${f}`)}</option>)}
              </select>
            </label>
          </div>
          <label>
            {t("knowledge.body")}
            <textarea required rows={6} value={paste.body} name="body"
              onChange={(e) => setPaste({ ...paste, body: e.target.value })} />
          </label>
          <ErrorMessage error={pasteError} context="knowledge" />
          <div className="row">
            <button className="button" type="submit" disabled={pasteBusy}>
              {pasteBusy ? t("common.working") : t("knowledge.add")}
            </button>
            {pasteOk && <span className="ok" role="status">{t("knowledge.added")}</span>}
          </div>
        </form>
      </div>
      <h2>{t("knowledge.documents")}</h2>
      <ErrorMessage error={docs.error ?? error} context="knowledge" />
      {docs.loading && !docs.data && <p className="muted" role="status">{t("common.loading")}</p>}
      {docs.data && docs.data.length === 0 && <p className="muted">{t("knowledge.empty")}</p>}
      {docs.data && docs.data.length >= FILTER_FROM && (
        <DocumentFilter query={query} onChange={setQuery} shown={shownDocs.length} count={docs.data.length} />
      )}
      {docs.data && docs.data.length > 0 && shownDocs.length === 0 && (
        <p className="muted" data-testid="doc-no-match">{t("knowledge.noMatch", { query: query.trim() })}</p>
      )}
      {shownDocs.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="documents">
            <thead>
              <tr>
                <th scope="col">{t("knowledge.docTitle")}</th>
                <th scope="col">{t("knowledge.format")}</th>
                <th scope="col" className="num">{t("knowledge.docSize")}</th>
                <th scope="col" className="num">{t("knowledge.chunks")}</th>
                <th scope="col">{t("knowledge.status")}</th>
                <th scope="col">{t("knowledge.added")}</th>
                <th scope="col"><span className="sr-only">{t("common.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              {shownDocs.map((d) => (
                <tr key={d.id} data-testid="document-row">
                  <td data-label={t("knowledge.docTitle")} className="doc-title">{d.title}</td>
                  <td data-label={t("knowledge.format")}>{t(`formats.${d.format}`)}</td>
                  <td data-label={t("knowledge.docSize")} className="num">{formatBytes(d.size_bytes, lang, t)}</td>
                  <td data-label={t("knowledge.chunks")} className="num" data-testid="chunks">{formatNumber(d.chunk_count, lang)}</td>
                  <td data-label={t("knowledge.status")}>
                    {d.chunk_count === 0
                      ? <span className="pill warn">{t("knowledge.noChunks")}</span>
                      : d.semantic_index === "pending"
                        ? <span className="pill info" title={t("knowledge.semanticPendingHint")}
                            data-testid="semantic-pending">{t("knowledge.semanticPending")}</span>
                        : <span className="pill ok">{t("knowledge.ready")}</span>}
                  </td>
                  <td data-label={t("knowledge.added")} className="nowrap">{formatDateTime(d.created_at, lang)}</td>
                  <td>
                    <button type="button" className="button danger small" onClick={() => setDoomed(d)}>
                      {t("common.delete")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog open={!!doomed} busy={busy} danger
        title={t("knowledge.deleteTitle", { title: doomed?.title ?? "" })}
        message={t("knowledge.deleteText")} confirmLabel={t("common.delete")}
        onConfirm={confirmDelete} onCancel={() => setDoomed(null)} />
    </section>
  );
}

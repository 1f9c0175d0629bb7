// The tenant's bots: list, the plan's bot allowance, delete with confirmation.

import { useState } from "react";
import { useTranslation } from "react-i18next";
import { deleteBot, getSubscription, listBots } from "../api/endpoints";
import type { Bot } from "../api/types";
import { Answerer } from "../components/Answerer";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorMessage } from "../components/ErrorMessage";
import { formatDateTime } from "../format";
import { Link } from "../router";
import { useLoad } from "../useLoad";

export function BotsPage() {
  const { t, i18n } = useTranslation();
  const bots = useLoad(listBots, []);
  const sub = useLoad(getSubscription, []);
  const [doomed, setDoomed] = useState<Bot | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const maxBots = sub.data?.plan.limits.max_bots;
  const count = bots.data?.length ?? 0;
  const full = maxBots !== undefined && count >= maxBots;

  const confirmDelete = async () => {
    if (!doomed) return;
    setBusy(true);
    setError(null);
    try {
      await deleteBot(doomed.id);
      bots.setData(bots.data?.filter((b) => b.id !== doomed.id));
      setDoomed(null);
    } catch (e) {
      setError(e);
      setDoomed(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>{t("bots.title")}</h1>
        <div className="row">
          {maxBots !== undefined && (
            <span className="muted" data-testid="bot-allowance">{t("bots.allowance", { count, max: maxBots })}</span>
          )}
          {full
            ? <Link to="/plan" className="button secondary">{t("bots.upgrade")}</Link>
            : <Link to="/bots/new" className="button">{t("bots.new")}</Link>}
        </div>
      </div>
      <ErrorMessage error={bots.error ?? error} context="bot" />
      {bots.loading && !bots.data && <p className="muted">{t("common.loading")}</p>}
      {bots.data && bots.data.length === 0 && (
        <div className="card empty">
          <p>{t("bots.empty")}</p>
          <Link to="/bots/new" className="button">{t("bots.createFirst")}</Link>
        </div>
      )}
      <ul className="bot-list">
        {bots.data?.map((bot) => (
          <li key={bot.id} className="card bot-card" data-testid="bot-card">
            <div className="bot-main">
              <h2><Link to={`/bots/${bot.id}`}>{bot.name}</Link></h2>
              <dl className="facts">
                <div><dt>{t("bots.language")}</dt><dd>{t(`languages.${bot.language}`)}</dd></div>
                <div><dt>{t("bots.answerer")}</dt><dd><Answerer bot={bot} /></dd></div>
                <div><dt>{t("bots.publicId")}</dt><dd><code>{bot.public_id}</code></dd></div>
                <div><dt>{t("bots.updated")}</dt><dd>{formatDateTime(bot.updated_at, i18n.language)}</dd></div>
              </dl>
            </div>
            <div className="row wrap">
              <Link to={`/bots/${bot.id}/knowledge`} className="button secondary small">{t("bots.knowledge")}</Link>
              <Link to={`/bots/${bot.id}/try`} className="button secondary small">{t("try.tab")}</Link>
              <Link to={`/bots/${bot.id}/install`} className="button secondary small">{t("install.tab")}</Link>
              <Link to={`/bots/${bot.id}`} className="button secondary small">{t("common.edit")}</Link>
              <button type="button" className="button danger small" onClick={() => setDoomed(bot)}>
                {t("common.delete")}
              </button>
            </div>
          </li>
        ))}
      </ul>
      <ConfirmDialog open={!!doomed} busy={busy} danger
        title={t("bots.deleteTitle", { name: doomed?.name ?? "" })}
        message={t("bots.deleteText")}
        confirmLabel={t("bots.deleteConfirm")}
        onConfirm={confirmDelete} onCancel={() => setDoomed(null)} />
    </section>
  );
}

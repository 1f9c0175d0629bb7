// "Install": the one-line snippet that puts the bot's chat widget on a web site (with this
// gateway's origin and the bot's public id), a Copy button, which sites may use it (the bot's
// allowed origins) and a live preview of the widget (an iframe of /widget-preview.html, which
// loads /widget.js exactly as the snippet does). docs/widget.md has the details.
// look: the widget's appearance (colour, title, side, suggested questions) is set here too
// (components/install/AppearanceForm.tsx); saving it restarts the live preview with it.

import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { getBot } from "../api/endpoints";
import type { Bot } from "../api/types";
import { AppearanceForm } from "../components/install/AppearanceForm";
import { BotTabs } from "../components/BotTabs";
import { ErrorMessage } from "../components/ErrorMessage";
import { copyText, embedSnippet } from "../components/install/snippet";
import "../components/install/install.css";
import { Link } from "../router";
import { useLoad } from "../useLoad";

export function InstallPage({ botId }: { botId: string }) {
  const { t, i18n } = useTranslation();
  const bot = useLoad(() => getBot(botId), [botId]);
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);
  const [savedBot, setSavedBot] = useState<Bot | null>(null);  // look: after an appearance save
  const [previewRun, setPreviewRun] = useState(0);

  if (bot.error) return <ErrorMessage error={bot.error} context="bot" />;
  const data = savedBot ?? bot.data;
  /** look: the live preview starts over, open (its new session carries the new appearance). */
  const restartPreview = (updated: Bot) => {
    setSavedBot(updated);
    try {
      // The widget's storage key (docs/widget.md "Resuming").
      localStorage.removeItem(["botfactory.widget", window.location.origin, updated.public_id].join("."));
    } catch {
      // storage blocked: the preview keeps its session and shows the change at its next renewal
    }
    setPreviewRun((n) => n + 1);
  };
  const origin = window.location.origin;
  const snippet = data ? embedSnippet(origin, data.public_id) : "";
  const origins = data?.allowed_origins ?? [];
  const previewAllowed = origins.length === 0 || origins.includes(origin);

  const copy = async () => {
    const ok = await copyText(snippet);
    setCopied(ok ? "copied" : "failed");
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied("idle"), 4000);
  };

  return (
    <section>
      <BotTabs botId={botId} current="install" name={data?.name} />
      <h1>{t("install.title")}</h1>
      <p className="muted lead">{t("install.lead")}</p>

      <section className="card" aria-labelledby="install-snippet">
        <h2 id="install-snippet">{t("install.snippetTitle")}</h2>
        <p className="muted">{t("install.snippetHint")}</p>
        <div className="install-snippet">
          <pre tabIndex={0} aria-label={t("install.snippetTitle")} data-testid="snippet">{data ? snippet : t("common.loading")}</pre>
          <div className="install-copy">
            <button type="button" className="button" onClick={copy} disabled={!data} data-testid="copy-snippet">
              {t("install.copy")}
            </button>
            <span role="status" className={copied === "failed" ? "error-text" : "ok"} data-testid="copy-status">
              {copied === "copied" ? t("install.copied") : copied === "failed" ? t("install.copyFailed") : ""}
            </span>
          </div>
        </div>
      </section>

      {data && <AppearanceForm key={data.id} bot={data} onSaved={restartPreview} />}

      <section className="card" aria-labelledby="install-origins" data-testid="install-origins">
        <h2 id="install-origins">{t("install.originsTitle")}</h2>
        {origins.length === 0 ? (
          <p>{t("install.originsAny")}</p>
        ) : (
          <>
            <p>{t("install.originsListed")}</p>
            <ul className="install-origins">{origins.map((o) => <li key={o}><code>{o}</code></li>)}</ul>
          </>
        )}
        <p className="muted">
          {t("install.originsHint")} <Link to={`/bots/${botId}`}>{t("install.originsEdit")}</Link>
        </p>
      </section>

      <section className="card" aria-labelledby="install-preview">
        <h2 id="install-preview">{t("install.previewTitle")}</h2>
        <p className="muted">{t("install.previewHint")}</p>
        {!previewAllowed && <p className="notice" data-testid="preview-blocked">{t("install.previewBlocked", { origin })}</p>}
        {data && (
          <iframe key={previewRun} className="install-preview" title={t("install.previewTitle")} data-testid="preview"
            src={`/widget-preview.html?bot=${encodeURIComponent(data.public_id)}&lang=${encodeURIComponent(data.language || i18n.language)}${previewRun > 0 ? "&open=1" : ""}`} />
        )}
      </section>
    </section>
  );
}

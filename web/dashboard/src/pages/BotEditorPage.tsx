// Create a bot (POST /bots) or edit one (PATCH /bots/{id}): name, language, greeting,
// instructions, answerer (provider, model, temperature, output tokens, fallback), allowed origins.

import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { createBot, getBot, listProviderKeys, updateBot } from "../api/endpoints";
import type { Bot, BotInput, Language, ProviderName } from "../api/types";
import { Answerer } from "../components/Answerer";
import { parseOrigins } from "../components/bots/origins";
import { ModelStatusNote } from "../components/ModelStatusNote";
import { BotTabs } from "../components/BotTabs";
import { ErrorMessage } from "../components/ErrorMessage";
import { Link, navigate } from "../router";
import { useLoad } from "../useLoad";

const DEFAULT_MODEL: Record<ProviderName, string> = { extractive: "", openai: "gpt-4o-mini", gemini: "gemini-2.0-flash" };

interface Form {
  name: string;
  language: Language;
  greeting: string;
  instructions: string;
  provider: ProviderName;
  model: string;
  temperature: string;
  maxOutputTokens: string;
  fallback: boolean;
  origins: string;
}

const EMPTY: Form = {
  name: "", language: "en", greeting: "", instructions: "", provider: "extractive", model: "",
  temperature: "0.3", maxOutputTokens: "1024", fallback: true, origins: "",
};

function toForm(bot: Bot): Form {
  return {
    name: bot.name, language: bot.language, greeting: bot.greeting, instructions: bot.instructions,
    provider: bot.provider.provider, model: bot.provider.model,
    temperature: String(bot.provider.temperature), maxOutputTokens: String(bot.provider.max_output_tokens),
    fallback: bot.provider.fallback_to_extractive, origins: bot.allowed_origins.join("\n"),
  };
}

function toInput(f: Form): BotInput {
  return {
    name: f.name.trim(), language: f.language, greeting: f.greeting, instructions: f.instructions,
    provider: {
      provider: f.provider, model: f.provider === "extractive" ? "" : f.model.trim(),
      temperature: Number(f.temperature), max_output_tokens: Number(f.maxOutputTokens),
      fallback_to_extractive: f.fallback,
    },
    allowed_origins: parseOrigins(f.origins).origins,
  };
}

export function BotEditorPage({ botId }: { botId?: string }) {
  const { t } = useTranslation();
  const [form, setForm] = useState<Form>(EMPTY);
  const [bot, setBot] = useState<Bot | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [badOrigin, setBadOrigin] = useState<string | null>(null);
  const keys = useLoad(listProviderKeys, []);

  useEffect(() => {
    if (!botId) return;
    getBot(botId).then((b) => { setBot(b); setForm(toForm(b)); }, setLoadError);
  }, [botId]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setSaved(false);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const origins = parseOrigins(form.origins);
    setBadOrigin(origins.invalid ?? null);
    if (origins.invalid) {
      document.querySelector<HTMLTextAreaElement>("textarea[name=allowed_origins]")?.focus();
      return;
    }
    setBusy(true);
    try {
      if (botId) {
        const updated = await updateBot(botId, toInput(form));
        setBot(updated);
        setForm(toForm(updated));
        setSaved(true);
      } else {
        const created = await createBot(toInput(form));
        navigate(`/bots/${created.id}/knowledge`);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (loadError) return <ErrorMessage error={loadError} context="bot" />;
  if (botId && !bot) return <p className="muted">{t("common.loading")}</p>;
  const hasKey = form.provider === "extractive" || !!keys.data?.some((k) => k.provider === form.provider);

  return (
    <section>
      {botId ? <BotTabs botId={botId} current="settings" name={bot?.name} /> : (
        <p className="crumbs"><Link to="/bots">{t("nav.bots")}</Link> › <span>{t("bots.new")}</span></p>
      )}
      <form onSubmit={submit} className="card form" data-testid="bot-form">
        <h1>{botId ? t("bots.editTitle") : t("bots.newTitle")}</h1>
        {bot && (
          <p className="muted">{t("bots.repliesFrom")} <Answerer bot={bot} /></p>
        )}
        {bot && <ModelStatusNote botId={bot.id} />}
        <div className="grid2">
          <label>
            {t("bots.name")}
            <input required maxLength={100} value={form.name} name="name"
              onChange={(e) => set("name", e.target.value)} />
          </label>
          <label>
            {t("bots.language")}
            <select value={form.language} name="language" onChange={(e) => set("language", e.target.value as Language)}>
              {(["en", "ru", "uz"] as const).map((l) => <option key={l} value={l}>{t(`languages.${l}`)}</option>)}
            </select>
          </label>
        </div>
        <label>
          {t("bots.greeting")}
          <input value={form.greeting} name="greeting" placeholder={t("bots.greetingPlaceholder")}
            onChange={(e) => set("greeting", e.target.value)} />
        </label>
        <label>
          {t("bots.instructions")}
          <textarea rows={4} value={form.instructions} name="instructions" aria-describedby="instructions-hint"
            onChange={(e) => set("instructions", e.target.value)} />
          <small id="instructions-hint" className="hint">{t("bots.instructionsHint")}</small>
        </label>
        <fieldset>
          <legend>{t("bots.answererTitle")}</legend>
          <div className="grid2">
            <label>
              {t("bots.provider")}
              <select value={form.provider} name="provider"
                onChange={(e) => { const p = e.target.value as ProviderName; set("provider", p); set("model", DEFAULT_MODEL[p]); }}>
                {(["extractive", "openai", "gemini"] as const).map((p) => (
                  <option key={p} value={p}>{t(`providers.${p}`)}</option>
                ))}
              </select>
            </label>
            {form.provider !== "extractive" && (
              <label>
                {t("bots.model")}
                <input maxLength={100} value={form.model} name="model" placeholder={DEFAULT_MODEL[form.provider]}
                  onChange={(e) => set("model", e.target.value)} />
              </label>
            )}
          </div>
          {form.provider === "extractive" && <p className="hint">{t("bots.extractiveHint")}</p>}
          {form.provider !== "extractive" && (
            <>
              {!hasKey && keys.data && (
                <p className="notice" data-testid="no-key">
                  {t("bots.noKeyNotice", { provider: t(`providers.${form.provider}`) })}{" "}
                  <Link to="/keys">{t("nav.keys")}</Link>
                </p>
              )}
              <div className="grid2">
                <label>
                  {t("bots.temperature")}
                  <input type="number" min={0} max={2} step={0.1} value={form.temperature} name="temperature"
                    onChange={(e) => set("temperature", e.target.value)} />
                </label>
                <label>
                  {t("bots.maxOutputTokens")}
                  <input type="number" min={1} max={32768} step={1} value={form.maxOutputTokens} name="max_output_tokens"
                    onChange={(e) => set("maxOutputTokens", e.target.value)} />
                </label>
              </div>
              <label className="check">
                <input type="checkbox" checked={form.fallback} onChange={(e) => set("fallback", e.target.checked)} />
                {t("bots.fallback")}
              </label>
            </>
          )}
        </fieldset>
        <label>
          {t("bots.origins")}
          <textarea rows={3} value={form.origins} name="allowed_origins" placeholder="https://shop.example.com"
            aria-describedby={badOrigin ? "origins-error origins-hint" : "origins-hint"} aria-invalid={badOrigin ? true : undefined}
            onChange={(e) => { set("origins", e.target.value); setBadOrigin(null); }} />
          {badOrigin && (
            <small id="origins-error" className="error-text" role="alert">{t("bots.originInvalid", { origin: badOrigin })}</small>
          )}
          <small id="origins-hint" className="hint">{t("bots.originsHint")}</small>
        </label>
        <ErrorMessage error={error} context="bot" />
        <div className="row">
          <button className="button" type="submit" disabled={busy} data-testid="save-bot">
            {busy ? t("common.working") : botId ? t("common.save") : t("bots.create")}
          </button>
          {saved && <span className="ok" role="status">{t("common.saved")}</span>}
        </div>
      </form>
    </section>
  );
}

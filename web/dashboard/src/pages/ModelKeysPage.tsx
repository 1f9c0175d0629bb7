// The tenant's language-model provider keys (PUT/GET/DELETE /provider-keys): write-only, shown
// by their last four characters; an optional base URL for OpenAI-compatible servers.

import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { deleteProviderKey, listProviderKeys, setProviderKey } from "../api/endpoints";
import type { ProviderKey } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorMessage } from "../components/ErrorMessage";
import { formatDateTime } from "../format";
import { useLoad } from "../useLoad";

const PROVIDERS = ["openai", "gemini"] as const;

export function ModelKeysPage() {
  const { t } = useTranslation();
  const keys = useLoad(listProviderKeys, []);
  return (
    <section>
      <h1>{t("keys.title")}</h1>
      <p className="muted lead">{t("keys.lead")}</p>
      <ErrorMessage error={keys.error} context="keys" />
      <div className="grid2">
        {PROVIDERS.map((p) => (
          <KeyCard key={p} provider={p} current={keys.data?.find((k) => k.provider === p)}
            loading={!keys.data && keys.loading} onChange={keys.reload} />
        ))}
      </div>
    </section>
  );
}

/** One provider's key: its state (loading: not known yet, so "no key" is not claimed), set, replace, delete. */
function KeyCard(props: { provider: (typeof PROVIDERS)[number]; current?: ProviderKey; loading: boolean; onChange: () => void }) {
  const { t, i18n } = useTranslation();
  const [key, setKey] = useState("");
  const [baseUrl, setBaseUrl] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState(false);
  const name = t(`providers.${props.provider}`);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await setProviderKey(props.provider, key.trim(), baseUrl.trim());
      setKey("");
      setBaseUrl("");
      props.onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await deleteProviderKey(props.provider);
      props.onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setConfirm(false);
    }
  };

  return (
    <form className="card form" onSubmit={save} data-testid={`key-${props.provider}`}>
      <h2>{name}</h2>
      {props.current ? (
        <dl className="facts">
          <div><dt>{t("keys.key")}</dt><dd><code data-testid="last-four">•••• {props.current.last_four}</code></dd></div>
          <div><dt>{t("keys.baseUrl")}</dt><dd>{props.current.base_url || t("keys.defaultEndpoint")}</dd></div>
          <div><dt>{t("bots.updated")}</dt><dd>{formatDateTime(props.current.updated_at, i18n.language)}</dd></div>
        </dl>
      ) : (
        <p className="muted" data-testid="key-state">{props.loading ? t("common.loading") : t("keys.notSet")}</p>
      )}
      <label>
        {props.current ? t("keys.replace") : t("keys.key")}
        <input type="password" autoComplete="off" spellCheck={false} required minLength={8} maxLength={512}
          value={key} name="key" onChange={(e) => setKey(e.target.value)} />
      </label>
      <label>
        {t("keys.baseUrl")}
        <input type="url" maxLength={300} value={baseUrl} name="base_url" aria-describedby={`base-hint-${props.provider}`}
          placeholder={props.provider === "openai" ? "http://127.0.0.1:11434" : ""}
          onChange={(e) => setBaseUrl(e.target.value)} />
        <small className="hint" id={`base-hint-${props.provider}`}>{t("keys.baseUrlHint")}</small>
      </label>
      <ErrorMessage error={error} context="keys" />
      <div className="row">
        <button className="button" type="submit" disabled={busy}>{t("keys.save")}</button>
        {props.current && (
          <button type="button" className="button danger" disabled={busy} onClick={() => setConfirm(true)}>
            {t("common.delete")}
          </button>
        )}
      </div>
      <ConfirmDialog open={confirm} busy={busy} danger title={t("keys.deleteTitle", { provider: name })}
        message={t("keys.deleteText", { provider: name })} confirmLabel={t("common.delete")}
        onConfirm={remove} onCancel={() => setConfirm(false)} />
    </form>
  );
}

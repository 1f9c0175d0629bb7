// The "connect a channel" form: Telegram (bot token + polling/webhook, with advice on which to
// pick), WhatsApp (phone number id, access token, app secret, verify token) or Instagram
// (account id + the same three Meta values). Checked here first (validate.ts), then by the API,
// whose message is shown when it refuses (e.g. Telegram's getMe answer for a wrong token).

import { useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { connectChannel } from "../../api/endpoints";
import type { Channel, ChannelType } from "../../api/types";
import { channelError } from "./channelError";
import { CHANNEL_NAMES } from "./names";
import { EMPTY_FORM, FIELDS, toInput, validate, type ChannelForm } from "./validate";

const TYPES: ChannelType[] = ["telegram", "whatsapp", "instagram"];
const SECRET_FIELDS = new Set<keyof ChannelForm>(["token", "access_token", "app_secret", "verify_token"]);

export function ConnectChannelForm({ botId, onConnected }: { botId: string; onConnected: (c: Channel) => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState<ChannelForm>(EMPTY_FORM);
  const [errors, setErrors] = useState<Partial<Record<keyof ChannelForm, string>>>({});
  const [apiError, setApiError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLFormElement>(null);

  const set = (field: keyof ChannelForm, value: string) => {
    setForm((f) => ({ ...f, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = validate(form);
    setErrors(found);
    setApiError(null);
    const first = FIELDS[form.type].find((f) => found[f]);
    if (first) {
      ref.current?.querySelector<HTMLInputElement>(`[name=${first}]`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const channel = await connectChannel(botId, toInput(form));
      setForm({ ...EMPTY_FORM, type: form.type, mode: form.mode });
      onConnected(channel);
    } catch (err) {
      setApiError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={ref} className="card form" onSubmit={submit} noValidate data-testid="connect-form"
      aria-labelledby="connect-title">
      <h2 id="connect-title">{t("channels.connectTitle")}</h2>
      <fieldset>
        <legend>{t("channels.type")}</legend>
        <div className="row wrap">
          {TYPES.map((type) => (
            <label key={type} className="check choice">
              <input type="radio" name="type" value={type} checked={form.type === type}
                onChange={() => { setForm((f) => ({ ...f, type })); setErrors({}); setApiError(null); }} />
              {CHANNEL_NAMES[type]}
            </label>
          ))}
        </div>
      </fieldset>
      <p className="hint">{t(`channels.howTo.${form.type}`)}</p>
      {FIELDS[form.type].map((field) => {
        const error = errors[field];
        const hintId = `ch-${field}-hint`;
        const errorId = `ch-${field}-error`;
        return (
          <label key={field}>
            {t(`channels.field.${field}`)}
            <input name={field} value={form[field]} onChange={(e) => set(field, e.target.value)}
              type={SECRET_FIELDS.has(field) ? "password" : "text"}
              inputMode={field.endsWith("_id") ? "numeric" : undefined}
              autoComplete="off" spellCheck={false} aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${errorId} ${hintId}` : hintId} />
            {error && <small className="error-text" id={errorId}>{t(error)}</small>}
            <small className="hint" id={hintId}>{t(`channels.fieldHint.${field}`)}</small>
          </label>
        );
      })}
      {form.type === "telegram" && (
        <fieldset>
          <legend>{t("channels.mode")}</legend>
          {(["polling", "webhook"] as const).map((mode) => (
            <label key={mode} className="check">
              <input type="radio" name="mode" value={mode} checked={form.mode === mode}
                onChange={() => set("mode", mode)} />
              <span>
                <strong>{t(`channels.modes.${mode}`)}</strong>
                <br /><span className="hint">{t(`channels.modeHint.${mode}`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {apiError !== null && <p className="error" role="alert" data-testid="connect-error">{channelError(t, apiError)}</p>}
      <button className="button" type="submit" disabled={busy} data-testid="connect">
        {busy ? t("channels.connecting") : t("channels.connect", { type: CHANNEL_NAMES[form.type] })}
      </button>
    </form>
  );
}

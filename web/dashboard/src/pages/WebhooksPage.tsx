// Outgoing webhooks (docs/api.md "Outgoing webhooks"): the tenant's endpoints that its own
// systems (CRM, Slack bridge, ticketing) receive events on. Admins and the owner add an endpoint
// (URL + events), see its signing secret once, enable / disable, delete, send a test event and
// read the recent deliveries. Operators see a note (the server refuses them: 403).

import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";
import {
  WEBHOOK_EVENTS, canManageWebhooks, createWebhookEndpoint, deleteWebhookEndpoint, listWebhookDeliveries,
  listWebhookEndpoints, sendWebhookTest, updateWebhookEndpoint, urlProblem,
  type CreatedWebhookEndpoint, type WebhookEndpoint,
} from "../api/webhooks";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { DataTable } from "../components/DataTable";
import { ErrorMessage } from "../components/ErrorMessage";
import { describeError } from "../errors";
import { formatDateTime, formatNumber } from "../format";
import { useLoad } from "../useLoad";

export function WebhooksPage() {
  const { t } = useTranslation();
  if (!canManageWebhooks()) {
    return (
      <section>
        <h1>{t("webhooks.title")}</h1>
        <p className="muted" data-testid="webhooks-readonly">{t("webhooks.adminOnly")}</p>
      </section>
    );
  }
  return <WebhooksAdmin />;
}

function WebhooksAdmin() {
  const { t, i18n } = useTranslation();
  const list = useLoad(() => listWebhookEndpoints(), []);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>(["message.created"]);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState("");
  const [created, setCreated] = useState<CreatedWebhookEndpoint | null>(null);
  const [copied, setCopied] = useState(false);
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  const items = list.data?.webhook_endpoints ?? [];
  const current = items.find((e) => e.id === selected) ?? items[0] ?? null;
  const urlIssue = urlProblem(url);
  const eventsIssue = events.length === 0;

  const failure = (err: unknown) => {
    if (err instanceof ApiError && err.code === "webhook_limit") return t("webhooks.errors.limit", { max: list.data?.max ?? 10 });
    return describeError(t, err);
  };

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setDone("");
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (urlIssue || eventsIssue) return;
    await run(async () => {
      const endpoint = await createWebhookEndpoint(url.trim(), events);
      setCreated(endpoint);
      setCopied(false);
      setSelected(endpoint.id);
      setUrl("");
      setSubmitted(false);
      list.reload();
    });
  };

  const toggle = (endpoint: WebhookEndpoint) => run(async () => {
    await updateWebhookEndpoint(endpoint.id, { enabled: !endpoint.enabled });
    setDone(t(endpoint.enabled ? "webhooks.disabledDone" : "webhooks.enabledDone", { url: endpoint.url }));
    list.reload();
  });

  const test = (endpoint: WebhookEndpoint) => run(async () => {
    await sendWebhookTest(endpoint.id);
    setSelected(endpoint.id);
    setDone(t("webhooks.testQueued", { url: endpoint.url }));
  });

  const remove = (endpoint: WebhookEndpoint) => run(async () => {
    await deleteWebhookEndpoint(endpoint.id);
    if (created?.id === endpoint.id) setCreated(null);
    setDone(t("webhooks.deleted", { url: endpoint.url }));
    list.reload();
  });

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  const showUrl = submitted && urlIssue;
  const showEvents = submitted && eventsIssue;
  return (
    <section>
      <h1>{t("webhooks.title")}</h1>
      <p className="muted lead">{t("webhooks.lead")}</p>
      <ErrorMessage error={list.error} />
      {!!list.error && <button className="button" onClick={list.reload}>{t("common.retry")}</button>}
      {done && <p className="ok" role="status" data-testid="webhooks-done">{done}</p>}
      {!!error && <p className="error" role="alert" data-testid="webhooks-error">{failure(error)}</p>}
      {created && (
        <div className="card notice" role="region" aria-labelledby="webhooks-secret-title" data-testid="webhooks-secret">
          <h2 id="webhooks-secret-title">{t("webhooks.secretTitle")}</h2>
          <p>{t("webhooks.secretWarning")}</p>
          <div className="row wrap">
            <code data-testid="webhooks-secret-value">{created.secret}</code>
            <button type="button" className="button secondary small" onClick={copy} data-testid="webhooks-copy">
              {copied ? t("webhooks.copied") : t("webhooks.copy")}
            </button>
            <span className="sr-only" role="status">{copied ? t("webhooks.copied") : ""}</span>
          </div>
          <button type="button" className="button small" onClick={() => setCreated(null)} data-testid="webhooks-secret-done">
            {t("webhooks.secretDone")}
          </button>
        </div>
      )}
      <form className="card form" onSubmit={submit} noValidate data-testid="webhooks-form">
        <h2>{t("webhooks.newTitle")}</h2>
        <label htmlFor="webhook-url">{t("webhooks.url")}</label>
        <input id="webhook-url" name="url" type="url" value={url} autoComplete="off" spellCheck={false}
          placeholder="https://crm.example.com/botfactory" aria-invalid={showUrl ? true : undefined}
          aria-describedby={showUrl ? "webhook-url-error webhook-url-hint" : "webhook-url-hint"}
          onChange={(e) => setUrl(e.target.value)} data-testid="webhook-url" />
        <p className="hint" id="webhook-url-hint">{t("webhooks.urlHint")}</p>
        {showUrl && <p className="error-text" id="webhook-url-error" data-testid="webhook-url-error">
          {t(`webhooks.invalid.url.${urlIssue}`)}</p>}
        <fieldset aria-describedby={showEvents ? "webhook-events-error" : undefined}>
          <legend>{t("webhooks.events")}</legend>
          {WEBHOOK_EVENTS.map((name) => (
            <label key={name} className="check">
              <input type="checkbox" checked={events.includes(name)} data-testid={`webhook-event-${name}`}
                onChange={(e) => setEvents(e.target.checked ? [...events, name] : events.filter((x) => x !== name))} />
              <span><code className="nobreak">{name}</code> — {t(`webhooks.eventHelp.${name.replace(".", "_")}`)}</span>
            </label>
          ))}
        </fieldset>
        {showEvents && <p className="error-text" id="webhook-events-error">{t("webhooks.invalid.events")}</p>}
        <div className="row">
          <button className="button" type="submit" disabled={busy} data-testid="webhook-create">
            {busy ? t("common.working") : t("webhooks.create")}
          </button>
        </div>
      </form>
      <div className="card">
        <div className="canned-list-head">
          <h2>{t("webhooks.listTitle")}</h2>
          {list.data && (
            <span className="muted" data-testid="webhooks-count">
              {t("webhooks.count", { total: formatNumber(items.length, i18n.language), max: formatNumber(list.data.max, i18n.language) })}
            </span>
          )}
        </div>
        {list.loading && !list.data && <p className="muted" role="status">{t("common.loading")}</p>}
        {list.data && items.length === 0 && <p className="muted" data-testid="webhooks-empty">{t("webhooks.empty")}</p>}
        {items.length > 0 && (
          <DataTable testId="webhooks-table" head={<>
            <th scope="col" className="webhook-url-col">{t("webhooks.url")}</th>
            <th scope="col">{t("webhooks.events")}</th>
            <th scope="col">{t("webhooks.state")}</th>
            <th scope="col">{t("common.actions")}</th>
          </>}>
            {items.map((endpoint) => (
              <tr key={endpoint.id} data-testid="webhook-row" aria-current={current?.id === endpoint.id ? "true" : undefined}>
                <td data-label={t("webhooks.url")}><code className="break">{endpoint.url}</code></td>
                <td data-label={t("webhooks.events")}>{endpoint.events.join(", ")}</td>
                <td data-label={t("webhooks.state")}>{endpoint.enabled ? t("webhooks.enabled") : t("webhooks.disabled")}</td>
                <td data-label={t("common.actions")}>
                  <div className="row wrap">
                    <button type="button" className="button secondary small" disabled={busy}
                      aria-label={t("webhooks.showDeliveriesOf", { url: endpoint.url })}
                      onClick={() => setSelected(endpoint.id)} data-testid="webhook-show">
                      {t("webhooks.showDeliveries")}
                    </button>
                    <button type="button" className="button secondary small" disabled={busy}
                      aria-label={t("webhooks.testOf", { url: endpoint.url })}
                      onClick={() => void test(endpoint)} data-testid="webhook-test">
                      {t("webhooks.test")}
                    </button>
                    <button type="button" className="button secondary small" disabled={busy}
                      aria-label={t(endpoint.enabled ? "webhooks.disableOf" : "webhooks.enableOf", { url: endpoint.url })}
                      onClick={() => void toggle(endpoint)} data-testid="webhook-toggle">
                      {endpoint.enabled ? t("webhooks.disable") : t("webhooks.enable")}
                    </button>
                    <button type="button" className="button danger small" disabled={busy}
                      aria-label={t("webhooks.deleteOf", { url: endpoint.url })}
                      onClick={() => setDeleting(endpoint)} data-testid="webhook-delete">
                      {t("common.delete")}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </div>
      {current && <Deliveries endpoint={current} />}
      <ConfirmDialog open={deleting !== null} danger busy={busy}
        title={t("webhooks.deleteTitle", { url: deleting?.url ?? "" })} message={t("webhooks.deleteBody")}
        confirmLabel={t("common.delete")}
        onConfirm={() => { const e = deleting; setDeleting(null); if (e) void remove(e); }}
        onCancel={() => setDeleting(null)} />
    </section>
  );
}

/** The endpoint's recent deliveries, refreshed every 5 s while shown. */
function Deliveries({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { t, i18n } = useTranslation();
  const log = useLoad(() => listWebhookDeliveries(endpoint.id, 20), [endpoint.id]);
  useEffect(() => {
    const timer = window.setInterval(log.reload, 5000);
    return () => window.clearInterval(timer);
  }, [log.reload]);
  const rows = log.data?.deliveries ?? [];
  return (
    <div className="card" data-testid="webhook-deliveries">
      <div className="canned-list-head">
        <h2>{t("webhooks.deliveriesTitle")}</h2>
        <button type="button" className="button secondary small" onClick={log.reload} data-testid="webhook-refresh">
          {t("webhooks.refresh")}
        </button>
      </div>
      <p className="muted"><code className="break">{endpoint.url}</code></p>
      <ErrorMessage error={log.error} />
      {log.data && rows.length === 0 && <p className="muted" data-testid="webhook-deliveries-empty">{t("webhooks.noDeliveries")}</p>}
      {rows.length > 0 && (
        <DataTable testId="webhook-deliveries-table" head={<>
          <th scope="col">{t("webhooks.event")}</th>
          <th scope="col">{t("webhooks.status")}</th>
          <th scope="col">{t("webhooks.attempts")}</th>
          <th scope="col">{t("webhooks.lastCode")}</th>
          <th scope="col">{t("webhooks.time")}</th>
        </>}>
          {rows.map((d) => (
            <tr key={d.id} data-testid="webhook-delivery-row">
              <td data-label={t("webhooks.event")}><code>{d.event}</code></td>
              <td data-label={t("webhooks.status")} data-status={d.status}>{t(`webhooks.statuses.${d.status}`)}{d.last_error && d.status !== "delivered" ? ` — ${d.last_error}` : ""}</td>
              <td data-label={t("webhooks.attempts")}>{formatNumber(d.attempts, i18n.language)}</td>
              <td data-label={t("webhooks.lastCode")}>{d.last_status_code > 0 ? d.last_status_code : "—"}</td>
              <td data-label={t("webhooks.time")}>{formatDateTime(d.delivered_at ?? d.created_at, i18n.language)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}

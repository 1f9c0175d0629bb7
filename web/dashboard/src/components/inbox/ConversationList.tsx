// The inbox list: one row per conversation (visitor, bot, channel, preview, time) with unread
// and "waiting for a person" badges; rows are links, so the keyboard and the URL work.

import { useTranslation } from "react-i18next";
import type { InboxItem } from "../../api/inbox";
import { formatNumber } from "../../format";
import { Link } from "../../router";
import { formatWhen } from "./when";
import { visitorName } from "./visitorName";

const CHANNEL_NAMES: Record<string, string> = { telegram: "Telegram", whatsapp: "WhatsApp", instagram: "Instagram" };

/** The display name of a channel kind ("web" translated, the others are brand names). */
export function useChannelName(): (kind: string) => string {
  const { t } = useTranslation();
  return (kind) => (kind === "web" ? t("inbox.channelWeb") : CHANNEL_NAMES[kind] ?? kind);
}

export function ConversationList(props: {
  items: InboxItem[];
  selectedId?: string;
  botNames: Map<string, string>;
}) {
  const { t, i18n } = useTranslation();
  const channelName = useChannelName();
  if (props.items.length === 0) return <p className="muted inbox-empty">{t("inbox.empty")}</p>;
  return (
    <ul className="inbox-list" aria-label={t("inbox.list")} data-testid="inbox-list">
      {props.items.map((c) => {
        const unread = c.unread_count ?? 0;
        const selected = c.id === props.selectedId;
        const bot = c.bot_name || props.botNames.get(c.bot_id) || "";
        return (
          <li key={c.id} className={`inbox-row${selected ? " selected" : ""}${unread > 0 ? " unread" : ""}`}
            data-testid="inbox-row" data-id={c.id}>
            <Link to={`/inbox/${encodeURIComponent(c.id)}`} className="inbox-link" current={selected}>
              <span className="inbox-line">
                <span className="inbox-name">{visitorName(c.visitor.name, t)}</span>
                {c.last_message && (
                  <time className="inbox-time" dateTime={c.last_message.created_at}>
                    {formatWhen(c.last_message.created_at, i18n.language)}
                  </time>
                )}
              </span>
              <span className="inbox-meta">{bot ? `${bot} · ` : ""}{channelName(c.channel)}</span>
              <span className="inbox-preview">
                {c.last_message
                  ? `${c.last_message.sender_kind === "operator" ? `${t("inbox.you")}: ` : ""}${c.last_message.preview}`
                  : t("inbox.noMessages")}
              </span>
              <span className="inbox-badges">
                {c.waiting_for_human && <span className="pill warn" data-testid="badge-waiting">{t("inbox.waiting")}</span>}
                {c.handler === "human" && <span className="pill human" data-testid="badge-human">{t("inbox.handlerHuman")}</span>}
                {unread > 0 && (
                  <span className="pill count" data-testid="badge-unread"
                    aria-label={t("inbox.unread", { count: unread })} title={t("inbox.unread", { count: unread })}>
                    {formatNumber(unread, i18n.language)}
                  </span>
                )}
              </span>
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

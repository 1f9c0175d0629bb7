// A bot's channels (GET/POST/DELETE /bots/{id}/channels): the connected ones with their health,
// and the form to connect Telegram, WhatsApp or Instagram. The plan's channel allowance is shown
// beside the list (max_channels per bot).

import { useTranslation } from "react-i18next";
import { getBot, getSubscription, listChannels } from "../api/endpoints";
import { BotTabs } from "../components/BotTabs";
import { ErrorMessage } from "../components/ErrorMessage";
import { ChannelCard } from "../components/channels/ChannelCard";
import { ConnectChannelForm } from "../components/channels/ConnectChannelForm";
import { useLoad } from "../useLoad";

export function ChannelsPage({ botId }: { botId: string }) {
  const { t } = useTranslation();
  const bot = useLoad(() => getBot(botId), [botId]);
  const channels = useLoad(() => listChannels(botId), [botId]);
  const sub = useLoad(getSubscription, []);
  const max = sub.data?.plan.limits.max_channels;
  const count = channels.data?.length ?? 0;
  const full = max !== undefined && count >= max;

  return (
    <section>
      <BotTabs botId={botId} current="channels" name={bot.data?.name} />
      <div className="page-head">
        <h1>{t("channels.title")}</h1>
        <div className="row">
          {max !== undefined && (
            <span className="muted" data-testid="channel-allowance">{t("channels.allowance", { count, max })}</span>
          )}
          <button type="button" className="button secondary small" onClick={channels.reload} disabled={channels.loading}>
            {t("channels.refresh")}
          </button>
        </div>
      </div>
      <p className="muted lead">{t("channels.lead")}</p>
      <ErrorMessage error={bot.error ?? channels.error} context="bot" />
      {channels.loading && !channels.data && <p className="muted">{t("common.loading")}</p>}
      {channels.data && channels.data.length === 0 && <p className="card muted" data-testid="no-channels">{t("channels.empty")}</p>}
      {channels.data && channels.data.length > 0 && (
        <ul className="channel-list" aria-label={t("channels.connected")}>
          {channels.data.map((c) => (
            <ChannelCard key={c.id} botId={botId} channel={c} onChange={channels.reload}
              onRemoved={(id) => channels.setData(channels.data?.filter((x) => x.id !== id))} />
          ))}
        </ul>
      )}
      {full ? (
        <p className="notice" data-testid="channels-full">{t("channels.full")}</p>
      ) : (
        <ConnectChannelForm botId={botId}
          onConnected={(c) => channels.setData([...(channels.data ?? []), c])} />
      )}
    </section>
  );
}

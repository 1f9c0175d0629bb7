// /channels: every bot with its channels' state at a glance; each links to the bot's Channels tab.

import { useTranslation } from "react-i18next";
import { listBots, listChannels } from "../api/endpoints";
import type { Bot, Channel } from "../api/types";
import { ErrorMessage } from "../components/ErrorMessage";
import { StateBadge } from "../components/channels/ChannelHealthView";
import { channelTitle } from "../components/channels/names";
import { Link } from "../router";
import { useLoad } from "../useLoad";

async function botsWithChannels(): Promise<{ bot: Bot; channels: Channel[] | null }[]> {
  const bots = await listBots();
  return Promise.all(bots.map(async (bot) => ({ bot, channels: await listChannels(bot.id).catch(() => null) })));
}

export function ChannelsOverviewPage() {
  const { t } = useTranslation();
  const rows = useLoad(botsWithChannels, []);
  return (
    <section>
      <h1>{t("channels.title")}</h1>
      <p className="muted lead">{t("channels.overviewLead")}</p>
      <ErrorMessage error={rows.error} context="bot" />
      {rows.loading && !rows.data && <p className="muted">{t("common.loading")}</p>}
      {rows.data && rows.data.length === 0 && (
        <div className="card empty"><p>{t("bots.empty")}</p><Link to="/bots/new" className="button">{t("bots.createFirst")}</Link></div>
      )}
      <ul className="bot-list">
        {rows.data?.map(({ bot, channels }) => (
          <li key={bot.id} className="card" data-testid="overview-bot">
            <div className="page-head">
              <h2><Link to={`/bots/${bot.id}/channels`}>{bot.name}</Link></h2>
              <Link to={`/bots/${bot.id}/channels`} className="button secondary small">{t("channels.manage")}</Link>
            </div>
            {channels === null ? <p className="muted">{t("channels.unavailable")}</p>
              : channels.length === 0 ? <p className="muted">{t("channels.empty")}</p>
              : (
                <ul className="inline-list">
                  {channels.map((c) => (
                    <li key={c.id}>{channelTitle(c.type, c.display_name)} <StateBadge state={c.health?.state} /></li>
                  ))}
                </ul>
              )}
          </li>
        ))}
      </ul>
    </section>
  );
}

import { useTranslation } from "react-i18next";
import { Link } from "../router";

/** The sub-pages of one bot: settings, knowledge, unanswered questions, answer feedback, try it, install, channels. */
export function BotTabs({ botId, current, name }: { botId: string; current: "settings" | "knowledge" | "unanswered" | "feedback" | "try" | "install" | "channels"; name?: string }) {
  const { t } = useTranslation();
  return (
    <div className="bot-head">
      <p className="crumbs"><Link to="/bots">{t("nav.bots")}</Link> › <span>{name ?? "…"}</span></p>
      <nav className="tabs" aria-label={t("bots.sections")}>
        <Link to={`/bots/${botId}`} className="tab" current={current === "settings"}>{t("bots.settings")}</Link>
        <Link to={`/bots/${botId}/knowledge`} className="tab" current={current === "knowledge"}>{t("bots.knowledge")}</Link>
        <Link to={`/bots/${botId}/unanswered`} className="tab" current={current === "unanswered"}>{t("unanswered.tab")}</Link>
        <Link to={`/bots/${botId}/feedback`} className="tab" current={current === "feedback"}>{t("feedback.tab")}</Link>
        <Link to={`/bots/${botId}/try`} className="tab" current={current === "try"}>{t("try.tab")}</Link>
        <Link to={`/bots/${botId}/install`} className="tab" current={current === "install"}>{t("install.tab")}</Link>
        <Link to={`/bots/${botId}/channels`} className="tab" current={current === "channels"}>{t("channels.tab")}</Link>
      </nav>
    </div>
  );
}

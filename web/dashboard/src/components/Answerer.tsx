import { useTranslation } from "react-i18next";
import type { Bot } from "../api/types";

/**
 * Which answerer replies come from, and why when it is not the configured one: e.g.
 * "extractive — no key for openai" (GET /bots: effective_answerer, effective_answerer_reason).
 */
export function Answerer({ bot }: { bot: Bot }) {
  const { t } = useTranslation();
  const configured = bot.provider.provider;
  const effective = bot.effective_answerer;
  const name = (p: string) => t(`providers.${p}`, { defaultValue: p });
  if (effective === configured) {
    return (
      <span className="answerer" data-testid="answerer">
        {name(effective)}{bot.provider.model ? ` · ${bot.provider.model}` : ""}
      </span>
    );
  }
  const noKey = /^no \w+ key is set/.test(bot.effective_answerer_reason ?? "");
  const reason = noKey || !bot.effective_answerer_reason
    ? t("bots.reasonNoKey", { provider: name(configured) })
    : bot.effective_answerer_reason;
  return (
    <span className="answerer fallback" data-testid="answerer">
      {name(effective)} — {reason}
    </span>
  );
}

import { useTranslation } from "react-i18next";
import { describeError } from "../errors";

/** An alert with the localized message for `error` (nothing when null). */
export function ErrorMessage({ error, context }: { error: unknown; context?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  return <p className="error" role="alert">{describeError(t, error, context)}</p>;
}

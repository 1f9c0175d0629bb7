// The team (owner, admins, operators): members with their roles, open invites, a new invite link
// (shown once, with Copy), removal. The server decides who may do what (403 → the error message).

import { useState } from "react";
import { useTranslation } from "react-i18next";
import { createInvite, getTeam, inviteLink, removeMember, revokeInvite, type TeamMember } from "../api/team";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorMessage } from "../components/ErrorMessage";
import { copyText } from "../components/install/snippet";
import { formatDateTime } from "../format";
import { useLoad } from "../useLoad";

export function TeamPage() {
  const { t, i18n } = useTranslation();
  const team = useLoad(getTeam, []);
  const [role, setRole] = useState<"admin" | "operator">("operator");
  const [link, setLink] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [removing, setRemoving] = useState<TeamMember | null>(null);
  const [copied, setCopied] = useState<"" | "copied" | "failed">("");

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      team.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const invite = () => run(async () => {
    setCopied("");
    setLink(inviteLink((await createInvite(role)).token));
  });
  const copy = async () => setCopied((await copyText(link)) ? "copied" : "failed");
  const seats = team.data?.seats;

  return (
    <section>
      <h1>{t("team.title")}</h1>
      <p className="muted lead">{t("team.lead")}</p>
      <ErrorMessage error={team.error ?? error} />
      {seats && (
        <p data-testid="team-seats">
          {seats.limit === null ? t("team.seatsUsed", { used: seats.used })
            : t("team.seats", { used: seats.used, limit: seats.limit })}
        </p>
      )}
      <div className="card">
        <h2>{t("team.members")}</h2>
        {team.loading && !team.data && <p className="muted" role="status">{t("common.loading")}</p>}
        <table className="table" data-testid="team-members">
          <thead>
            <tr>
              <th scope="col">{t("team.name")}</th><th scope="col">{t("team.email")}</th><th scope="col">{t("team.role")}</th>
              <th scope="col">{t("team.joined")}</th><th scope="col"><span className="sr-only">{t("common.actions")}</span></th>
            </tr>
          </thead>
          <tbody>
            {team.data?.members.map((m) => (
              <tr key={m.user_id}>
                <td data-label={t("team.name")} className="doc-title">{m.username}</td>
                <td data-label={t("team.email")} className="email">{m.email}</td>
                <td data-label={t("team.role")}>{t(`team.roles.${m.role}`)}</td>
                <td data-label={t("team.joined")} className="nowrap">{formatDateTime(m.joined_at, i18n.language)}</td>
                <td>
                  {m.role !== "owner" && (
                    <button className="button danger small" disabled={busy} onClick={() => setRemoving(m)}>
                      {t("team.remove")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card form">
        <h2>{t("team.invite")}</h2>
        <label>
          {t("team.role")}
          <select value={role} onChange={(e) => setRole(e.target.value as "admin" | "operator")} data-testid="invite-role">
            <option value="operator">{t("team.roles.operator")}</option>
            <option value="admin">{t("team.roles.admin")}</option>
          </select>
        </label>
        <button className="button" disabled={busy} onClick={invite} data-testid="create-invite">{t("team.createLink")}</button>
        {link && (
          <div role="status" className="invite-new">
            <p>{t("team.linkOnce")}</p>
            <code data-testid="invite-link">{link}</code>
            <div className="row">
              <button type="button" className="button secondary" onClick={copy} data-testid="copy-invite">
                {t("install.copy")}
              </button>
              <span className={copied === "failed" ? "error-text" : "ok"} data-testid="copy-invite-status">
                {copied === "copied" ? t("install.copied") : copied === "failed" ? t("install.copyFailed") : ""}
              </span>
            </div>
          </div>
        )}
        {team.data && team.data.invites.length > 0 && (
          <>
            <h3>{t("team.openInvites")}</h3>
            <ul>
              {team.data.invites.map((inv) => (
                <li key={inv.invite_id}>
                  {t(`team.roles.${inv.role}`)} · {t("team.expires", { date: formatDateTime(inv.expires_at, i18n.language) })}{" "}
                  <button className="button secondary small" disabled={busy} onClick={() => run(() => revokeInvite(inv.invite_id))}>
                    {t("team.revoke")}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <ConfirmDialog open={removing !== null} danger busy={busy}
        title={t("team.removeTitle", { name: removing?.username ?? "" })} message={t("team.removeBody")}
        confirmLabel={t("team.remove")}
        onConfirm={() => { const m = removing; setRemoving(null); if (m) void run(() => removeMember(m.user_id)); }}
        onCancel={() => setRemoving(null)} />
    </section>
  );
}

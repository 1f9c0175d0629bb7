// Sign in and sign up (POST /auth/login, POST /users + login). Errors in the UI language.

import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { signIn, signUp } from "../api/endpoints";
import { useAuth } from "../auth";
import { ErrorMessage } from "../components/ErrorMessage";
import { Link } from "../router";

export function SignInPage() {
  const { t } = useTranslation();
  const { expired } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <section className="card narrow">
      <h1>{t("auth.signInTitle")}</h1>
      {expired && !error && <p className="notice" role="status">{t("auth.sessionEnded")}</p>}
      <form onSubmit={submit} className="form">
        <label>
          {t("auth.email")}
          <input type="email" autoComplete="email" required value={email} name="email"
            onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t("auth.password")}
          <input type="password" autoComplete="current-password" required value={password} name="password"
            onChange={(e) => setPassword(e.target.value)} />
        </label>
        <ErrorMessage error={error} context="signin" />
        <button className="button" type="submit" disabled={busy}>
          {busy ? t("common.working") : t("auth.signIn")}
        </button>
      </form>
      <p className="muted">{t("auth.noAccount")} <Link to="/signup">{t("auth.signUp")}</Link></p>
    </section>
  );
}

export function SignUpPage() {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const invite = new URLSearchParams(window.location.search).get("invite") ?? "";  // team accounts

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signUp(email.trim(), username.trim(), password, invite);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <section className="card narrow">
      <h1>{t("auth.signUpTitle")}</h1>
      <p className="muted">{invite ? t("team.joinLead") : t("auth.signUpLead")}</p>
      <form onSubmit={submit} className="form">
        <label>
          {t("auth.email")}
          <input type="email" autoComplete="email" required maxLength={254} value={email} name="email"
            onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t("auth.username")}
          <input autoComplete="username" required minLength={3} maxLength={32} pattern="[A-Za-z0-9_.\-]+"
            value={username} name="username" aria-describedby="username-hint"
            onChange={(e) => setUsername(e.target.value)} />
          <small id="username-hint" className="hint">{t("auth.usernameHint")}</small>
        </label>
        <label>
          {t("auth.password")}
          <input type="password" autoComplete="new-password" required minLength={8} maxLength={256}
            value={password} name="password" aria-describedby="password-hint"
            onChange={(e) => setPassword(e.target.value)} />
          <small id="password-hint" className="hint">{t("auth.passwordHint")}</small>
        </label>
        <ErrorMessage error={error} context="signup" />
        <button className="button" type="submit" disabled={busy}>
          {busy ? t("common.working") : t("auth.createAccount")}
        </button>
      </form>
      <p className="muted">{t("auth.haveAccount")} <Link to="/signin">{t("auth.signIn")}</Link></p>
    </section>
  );
}
